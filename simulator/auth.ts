import { z } from 'zod';
import { ApiError } from './errors.js';
import type { ValueFormats } from './strictness.js';

/**
 * Bearer-token checks (mde-api.md 0.2, 0.3). The simulator decodes the JWT
 * payload and does NOT verify signatures (tokens from SimulatorCredential
 * are unsigned, alg "none"); it checks audience, expiry and app roles.
 */
export const DEFENDER_AUDIENCE = 'https://api.securitycenter.microsoft.com';

export interface Caller {
  readonly appId: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  /** Rate-limit and session-limit scope: application + tenant. */
  readonly scopeKey: string;
  /**
   * Shown as `requestor` (and `createdBy`, `cancellationRequestor`) on what the
   * caller creates: the app id, or under `valueFormats: defender` the token's
   * `app_displayname` (the app id when the token has none). README choices 16, 30.
   */
  readonly requestor: string;
}

const claimsSchema = z.looseObject({
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  nbf: z.number().optional(),
  appid: z.string().optional(),
  azp: z.string().optional(),
  app_displayname: z.string().min(1).optional(),
  tid: z.string(),
  roles: z.array(z.string()).default([]),
});

const unauthorized = (message: string): ApiError =>
  new ApiError(401, 'Unauthorized', message, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });

function decodePayload(token: string): unknown {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Reads the Authorization header; throws 401 (missing, malformed, expired) or 403 (audience). */
export function authenticate(header: string | undefined, nowMs: number, formats: ValueFormats): Caller {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) throw unauthorized('Authorization header is missing or is not a Bearer token.');
  const claims = claimsSchema.safeParse(decodePayload(match[1]));
  if (!claims.success) throw unauthorized('Invalid Authorization payload.');
  const { aud, exp, nbf, tid, roles } = claims.data;
  const appId = claims.data.appid ?? claims.data.azp;
  if (!appId) throw unauthorized('Invalid Authorization payload.');
  const nowSeconds = nowMs / 1000;
  if (exp <= nowSeconds) throw unauthorized('The access token has expired.');
  if (nbf !== undefined && nbf > nowSeconds) throw unauthorized('The access token is not yet valid.');
  const audiences = (Array.isArray(aud) ? aud : [aud]).map((a) => a.replace(/\/+$/, ''));
  if (!audiences.includes(DEFENDER_AUDIENCE)) {
    throw new ApiError(403, 'Forbidden', `The token audience '${audiences.join(',')}' is not accepted; expected '${DEFENDER_AUDIENCE}'.`);
  }
  const requestor = formats === 'defender' ? (claims.data.app_displayname ?? appId) : appId;
  return { appId, tenantId: tid, roles, scopeKey: `${appId}|${tid}`, requestor };
}

/** 403 unless the caller holds at least one of `anyOf` (wording as observed in 2026). */
export function requireRoles(caller: Caller, anyOf: readonly string[]): void {
  if (anyOf.length === 0 || anyOf.some((r) => caller.roles.includes(r))) return;
  throw new ApiError(
    403,
    'Forbidden',
    `Missing application roles. API required roles: ${anyOf.join(',')}, application roles: ${caller.roles.join(',')}.`,
  );
}
