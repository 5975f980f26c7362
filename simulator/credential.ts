import type { Clock } from '../shared/clock.js';
import type { TokenProvider } from '../shared/defender/port.js';

/** Every role the responder needs (mde-api.md 0.3). */
export const SIMULATOR_DEFAULT_ROLES: readonly string[] = ['Machine.LiveResponse', 'Machine.Read.All', 'Library.Manage', 'Alert.Read.All'];

export interface SimulatorCredentialOptions {
  clock: Clock;
  /** App roles in the token (default: {@link SIMULATOR_DEFAULT_ROLES}). */
  roles?: readonly string[];
  /** Token `aud`. Default: the requested scope without `/.default` (so a wrong scope yields a wrong audience, as in Entra). */
  audience?: string;
  appId?: string;
  /** The app's display name, in the token's `app_displayname` claim as Entra writes it (default {@link SIMULATOR_APP_DISPLAY_NAME}). */
  appDisplayName?: string;
  tenantId?: string;
  /** Token lifetime (default one hour, like Entra's client-credentials tokens). */
  lifetimeMs?: number;
}

/** The display name SimulatorCredential's tokens carry unless told otherwise. */
export const SIMULATOR_APP_DISPLAY_NAME = 'MDE Live Response Responder (simulator)';
/** The tenant id of SimulatorCredential's tokens unless `tenantId` is given (and of the fleet's other apps unless theirs is). */
export const SIMULATOR_DEFAULT_TENANT_ID = '00000000-0000-0000-0000-000000000000';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * A TokenProvider for the simulator: it mints UNSIGNED JWTs (alg "none")
 * that only the simulator accepts. Never use it against a real tenant.
 */
export class SimulatorCredential implements TokenProvider {
  readonly appId: string;
  readonly appDisplayName: string;
  readonly tenantId: string;
  private readonly roles: readonly string[];

  constructor(private readonly options: SimulatorCredentialOptions) {
    this.appId = options.appId ?? '5e1c2f0a-9d3b-4c8e-a7f6-51a0b2c3d4e5';
    this.appDisplayName = options.appDisplayName ?? SIMULATOR_APP_DISPLAY_NAME;
    this.tenantId = options.tenantId ?? SIMULATOR_DEFAULT_TENANT_ID;
    this.roles = options.roles ?? SIMULATOR_DEFAULT_ROLES;
  }

  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number }> {
    const scope = (Array.isArray(scopes) ? scopes[0] : scopes) ?? '';
    const audience = this.options.audience ?? scope.replace(/\/\.default$/, '');
    const nowMs = this.options.clock.nowMs();
    const expiresOnTimestamp = nowMs + (this.options.lifetimeMs ?? 3_600_000);
    const payload = {
      aud: audience,
      iss: `https://sts.windows.net/${this.tenantId}/`,
      iat: Math.floor(nowMs / 1000),
      nbf: Math.floor(nowMs / 1000),
      exp: Math.floor(expiresOnTimestamp / 1000),
      appid: this.appId,
      app_displayname: this.appDisplayName,
      appidacr: '1',
      idtyp: 'app',
      oid: this.appId,
      sub: this.appId,
      tid: this.tenantId,
      roles: [...this.roles],
      ver: '1.0',
      simulator: 'mde-live-response-simulator (not Microsoft Defender)',
    };
    return Promise.resolve({ token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`, expiresOnTimestamp });
  }
}
