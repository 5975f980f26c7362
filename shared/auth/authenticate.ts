import { fail, ok, type Result } from '../result.js';
import { parseClientPrincipal, type Principal } from './principal.js';
import type { Role } from './roles.js';

/**
 * How callers are verified. `appservice` (the default, Azure): App Service
 * Authentication validates the Entra token and writes X-MS-CLIENT-PRINCIPAL;
 * the header is trusted only when the platform says authentication is on
 * for this app (WEBSITE_AUTH_ENABLED), since with it off nothing stops a
 * caller from writing the header. `development` (npm start only; refused in
 * Azure by the config): every request is the one development principal.
 */
export type AuthSettings = { mode: 'appservice'; platformAuthEnabled: boolean } | { mode: 'development'; principal: Principal };

export interface Refusal {
  status: 401 | 403;
  code: 'Unauthenticated' | 'Forbidden';
  message: string;
}

/** The verified caller, or a 401 saying why there is none. Fails closed: no verified principal, no access. */
export function authenticate(settings: AuthSettings, clientPrincipalHeader: string | null): Result<Principal, Refusal> {
  if (settings.mode === 'development') return ok(settings.principal);
  const refuse = (message: string): Result<never, Refusal> => fail({ status: 401, code: 'Unauthenticated', message });
  if (!settings.platformAuthEnabled)
    return refuse(
      'App Service Authentication is not enabled for this app, so no caller can be verified (see docs/api.md: Sign-in and roles)',
    );
  if (!clientPrincipalHeader) return refuse('sign in: the request carries no verified principal');
  const principal = parseClientPrincipal(clientPrincipalHeader);
  return principal.ok ? principal : refuse(principal.errors);
}

/** A 403 naming the role `route` needs when the caller does not hold it; undefined when it does. */
export function authorize(principal: Principal, role: Role): Refusal | undefined {
  if (principal.roles.includes(role)) return undefined;
  return {
    status: 403,
    code: 'Forbidden',
    message: `this needs the app role ${role}; ${principal.name} holds ${principal.roles.join(', ') || 'none'}`,
  };
}
