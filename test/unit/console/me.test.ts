import { describe, expect, it } from 'vitest';
import { me } from '../../../functions/me.js';
import { createServices } from '../../../shared/services/index.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { callRoute } from '../../helpers/routeCalls.js';

describe('GET /api/me', () => {
  it('answers the verified caller’s name and the app roles they hold, so the console shows only what they may do', async () => {
    const answer = await callRoute(createServices(fakeDeps()), me, { roles: ['Responder.Read', 'Responder.Cancel'] });
    expect(answer.status).toBe(200);
    expect(answer.jsonBody).toEqual({ name: 'analyst@contoso.com', kind: 'user', roles: ['Responder.Read', 'Responder.Cancel'] });
  });
});
