import type { CallFailure } from './retrySchedule.js';

/** One call as PowerShell's Invoke-RestMethod makes it: a 2xx answer's JSON, or the failure it throws. */
export type CallResult = { ok: true; json: unknown } | { ok: false; failure: CallFailure };

export interface PeerHttp {
  fetch: typeof fetch;
  /** The API's origin (Defender's https://api.securitycenter.microsoft.com; here the simulator). */
  baseUrl: string;
  /** The bearer token the invocation took once at its start. */
  token: string;
}

/** One call, no retry of its own (`Invoke-RestMethod` retries nothing unless told to). */
export async function callDefender(http: PeerHttp, method: 'GET' | 'POST', path: string, body?: unknown): Promise<CallResult> {
  let response: Response;
  try {
    response = await http.fetch(`${http.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${http.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    return { ok: false, failure: { kind: 'noAnswer' } };
  }
  const text = await response.text();
  if (response.ok) return { ok: true, json: parseJson(text) };
  if (response.status === 429) return { ok: false, failure: { kind: 'throttled', retryAfterHeader: response.headers.get('retry-after') } };
  if (response.status >= 400 && response.status < 500) {
    const code = errorCodeOf(parseJson(text));
    return { ok: false, failure: { kind: 'refused', status: response.status, ...(code ? { code } : {}) } };
  }
  return { ok: false, failure: { kind: 'serverError', status: response.status } };
}

/** A string field of a JSON object answer, if it has one. */
export function stringField(json: unknown, name: string): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const value = (json as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function errorCodeOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  return stringField((json as Record<string, unknown>).error, 'code');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
