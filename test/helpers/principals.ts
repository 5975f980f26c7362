import type { Principal } from '../../shared/auth/principal.js';
import { ROLE_NAMES, type Role } from '../../shared/auth/roles.js';

/** A verified caller for tests: a person holding `roles` (all of them unless given). */
export function analyst(name = 'analyst@contoso.com', roles: readonly Role[] = ROLE_NAMES): Principal {
  return { objectId: '0a1b2c3d-0000-4000-8000-000000000001', name, kind: 'user', roles: [...roles] };
}
