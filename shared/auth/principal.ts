import { z } from 'zod';
import { fail, ok, type Result } from '../result.js';
import { isRole, type Role } from './roles.js';

/** A verified caller: a person, or an application (a managed identity or service principal holding an app role). */
export interface Principal {
  /** Entra object id (`oid`). */
  objectId: string;
  /** What the audit log and chain of custody show: the user's name, or the application's id. */
  name: string;
  kind: 'user' | 'app';
  /** The operator API's roles among the caller's role claims (others are ignored). */
  roles: Role[];
  tenantId?: string;
  /** `app` callers: the client application id (`appid`/`azp`). */
  appId?: string;
}

/** How records name a verified caller (the chain of custody, who cancelled): name and Entra object id. */
export function describePrincipal(principal: Pick<Principal, 'name' | 'kind' | 'objectId'>): string {
  return `${principal.name} (${principal.kind} ${principal.objectId})`;
}

/** The decoded X-MS-CLIENT-PRINCIPAL header: `{auth_typ, claims: [{typ, val}], name_typ, role_typ}`. */
const clientPrincipalSchema = z.object({
  auth_typ: z.string().optional(),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })).max(500),
});

const OID = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const TID = ['http://schemas.microsoft.com/identity/claims/tenantid', 'tid'];
const NAME = ['name', 'preferred_username', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn'];
const ROLE = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const APP_ID = ['appid', 'azp'];
/** Longest header accepted (base64 characters); App Service's own is a few KiB. */
const MAX_HEADER_CHARS = 32 * 1024;

/**
 * Reads the principal App Service Authentication put in X-MS-CLIENT-PRINCIPAL
 * (claims go through its claim mapping, so both the short and the URI claim
 * names are accepted; roles come as claims typed `role_typ` or `roles`).
 * Only call this where the platform is known to have set the header: see
 * authenticate.ts.
 */
export function parseClientPrincipal(header: string): Result<Principal, string> {
  if (header.length > MAX_HEADER_CHARS) return fail('X-MS-CLIENT-PRINCIPAL is too long');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return fail('X-MS-CLIENT-PRINCIPAL is not base64-encoded JSON');
  }
  const parsed = clientPrincipalSchema.safeParse(decoded);
  if (!parsed.success) return fail('X-MS-CLIENT-PRINCIPAL does not have the claims App Service writes');
  const { claims, name_typ: nameTyp, role_typ: roleTyp } = parsed.data;
  const first = (types: readonly string[]): string | undefined => claims.find((c) => types.includes(c.typ))?.val;
  const objectId = first(OID);
  if (!objectId) return fail('X-MS-CLIENT-PRINCIPAL carries no object id (oid)');
  const roleTypes = roleTyp ? [roleTyp, ...ROLE] : ROLE;
  const roles = [...new Set(claims.filter((c) => roleTypes.includes(c.typ)).map((c) => c.val))].filter(isRole);
  const appId = first(APP_ID);
  const kind = first(['idtyp']) === 'app' ? 'app' : 'user';
  const name = first(nameTyp ? [nameTyp, ...NAME] : NAME) ?? (kind === 'app' && appId ? `app ${appId}` : objectId);
  const tenantId = first(TID);
  return ok({ objectId, name, kind, roles, ...(tenantId ? { tenantId } : {}), ...(appId ? { appId } : {}) });
}

/** The header App Service would write for `principal` (tests, and the local host's development principal). */
export function encodeClientPrincipal(principal: Principal): string {
  const claims = [
    { typ: OID[0] ?? 'oid', val: principal.objectId },
    { typ: 'name', val: principal.name },
    ...(principal.kind === 'app' ? [{ typ: 'idtyp', val: 'app' }] : []),
    ...(principal.appId ? [{ typ: 'appid', val: principal.appId }] : []),
    ...(principal.tenantId ? [{ typ: 'tid', val: principal.tenantId }] : []),
    ...principal.roles.map((r) => ({ typ: 'roles', val: r })),
  ];
  return Buffer.from(JSON.stringify({ auth_typ: 'aad', name_typ: 'name', role_typ: 'roles', claims })).toString('base64');
}
