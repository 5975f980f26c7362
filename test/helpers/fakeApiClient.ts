import { DefenderClient, type DefenderClientOptions } from '../../shared/defender/client.js';

export const FAKE_API_BASE = 'https://api.securitycenter.microsoft.com';

/** The production Defender client over a fake `fetch` (no network), with a fixed token. */
export function clientWith(fetchFn: typeof fetch, extra: Partial<DefenderClientOptions> = {}): DefenderClient {
  return new DefenderClient({
    baseUrl: FAKE_API_BASE,
    credential: { getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: 0 }) },
    scope: `${FAKE_API_BASE}/.default`,
    requestTimeoutMs: 5_000,
    defaultRetryAfterMs: 1_000,
    linkPolicy: { hostSuffixes: ['.blob.core.windows.net'], allowHttpLoopback: false },
    fetch: fetchFn,
    ...extra,
  });
}
