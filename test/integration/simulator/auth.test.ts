import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIMULATOR_HEADER, SIMULATOR_HEADER_VALUE } from '../../../simulator/index.js';
import { DEVICE, errorOf, getFile, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

const unsigned = (payload: object): string =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

describe('simulator authentication and honesty', () => {
  let t: TestSimulator;
  beforeEach(async () => {
    t = await startTestSimulator();
  });
  afterEach(async () => {
    await t.close();
  });

  it('answers 401 Unauthorized without a bearer token', async () => {
    // Act
    const res = await t.call('/api/machines', { token: null });
    // Assess
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('Unauthorized');
  });

  it('answers 401 for a token that is not a JWT', async () => {
    // Act
    const res = await t.call('/api/machines', { token: 'not-a-jwt' });
    // Assess
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toBe('Invalid Authorization payload.');
  });

  it('answers 401 once the token has expired on the simulator clock', async () => {
    // Prepare
    const token = await t.freshToken();
    t.clock.advance(3_600_000);
    // Act
    const res = await t.call('/api/machines', { token });
    // Assess
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/expired/);
  });

  it('answers 403 for a token whose audience is not the legacy MDE resource', async () => {
    // Prepare
    const token = await t.tokenWith({ audience: 'https://api.security.microsoft.com' });
    // Act
    const res = await t.call('/api/machines', { token });
    // Assess
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('Forbidden');
  });

  it('accepts the audience with a trailing slash', async () => {
    // Prepare
    const token = await t.tokenWith({ audience: 'https://api.securitycenter.microsoft.com/' });
    // Act
    const res = await t.call('/api/machines', { token });
    // Assess
    expect(res.status).toBe(200);
  });

  it('answers 403 naming the required roles when an app role is missing', async () => {
    // Prepare
    const token = await t.tokenWith({ roles: ['Machine.LiveResponse'] });
    // Act
    const res = await t.call('/api/machineactions', { token });
    // Assess
    expect(res.status).toBe(403);
    const error = await errorOf(res);
    expect(error.code).toBe('Forbidden');
    expect(error.message).toBe(
      'Missing application roles. API required roles: Machine.Read.All,Machine.ReadWrite.All, application roles: Machine.LiveResponse.',
    );
  });

  it('needs Machine.LiveResponse to start live response', async () => {
    // Prepare
    const token = await t.tokenWith({ roles: ['Machine.Read.All'] });
    // Act
    const res = await t.runLiveResponse(DEVICE.finance, [getFile('C:\\x')], token);
    // Assess
    expect(res.status).toBe(403);
  });

  it('says it is a simulator on every response, errors and unknown routes included', async () => {
    // Act
    const responses = await Promise.all([
      t.call('/api/machines'),
      t.call('/api/machines', { token: null }),
      t.call('/api/nowhere'),
      t.call('/results/unknown'),
      t.call(`/api/machines/${DEVICE.finance}/runliveresponse`, { body: 'not json' }),
      t.call('/api/machines', { token: unsigned({ aud: 'https://api.securitycenter.microsoft.com', exp: 1, tid: 't', appid: 'a' }) }),
    ]);
    // Assess
    for (const res of responses) expect(res.headers.get(SIMULATOR_HEADER)).toBe(SIMULATOR_HEADER_VALUE);
    expect(responses.map((r) => r.status)).toEqual([200, 401, 404, 404, 400, 401]);
  });

  it('uses the MDE error envelope with a unique target and JSON content type', async () => {
    // Act
    const [a, b] = await Promise.all([t.call('/api/machines/nope'), t.call('/api/machines/nope')]);
    // Assess
    expect(a.headers.get('content-type')).toMatch(/^application\/json/);
    const [ea, eb] = [await errorOf(a), await errorOf(b)];
    expect(ea.code).toBe('ResourceNotFound');
    expect(ea.message).toBe('Machine nope was not found');
    expect(ea.target).not.toBe(eb.target);
  });

  it('serves success bodies as OData JSON', async () => {
    // Act
    const res = await t.call('/api/machines');
    // Assess
    expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal; charset=utf-8');
    expect(res.headers.get('odata-version')).toBe('4.0');
  });
});
