import { z } from 'zod';
import { roleSchema } from '../shared/auth/roles.js';
import { httpFunction } from './lib/binding.js';

/** What GET /api/me answers: the verified caller as the guard knows it. */
export const callerSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(['user', 'app']),
  /** The operator API's roles the caller holds. */
  roles: z.array(roleSchema),
});

/** GET /api/me -> the caller's name and app roles (the console shows only what they may do). Role Responder.Read. */
export const me = httpFunction({
  name: 'me',
  methods: ['GET'],
  route: 'me',
  role: 'Responder.Read',
  api: {
    summary: 'Who is calling, as verified: name, person or application, and the app roles held',
    responses: { 200: { description: 'the caller', schema: callerSchema } },
  },
  handler: (_services, _request, caller) => {
    const { name, kind, roles } = caller.principal;
    return Promise.resolve({
      status: 200,
      headers: { 'Cache-Control': 'no-store' },
      jsonBody: { name, kind, roles } satisfies z.infer<typeof callerSchema>,
    });
  },
});
