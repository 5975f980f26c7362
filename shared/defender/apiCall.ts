import type { z } from 'zod';
import { TransientError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../telemetry/metrics.js';
import { toDefenderError } from './httpErrors.js';
import type { DefenderCallKind, TokenProvider } from './port.js';
import { kindOf } from './resultBody.js';

/** Where and as whom the API is called, and where a 429 is reported. */
export interface ApiConnection {
  /** e.g. https://api.securitycenter.microsoft.com, a regional host, or the simulator. */
  baseUrl: string;
  credential: TokenProvider;
  scope: string;
  requestTimeoutMs: number;
  defaultRetryAfterMs: number;
  /** API calls. */
  fetch: typeof fetch;
  /** Where a 429 from Defender is reported (`Defender answered 429`, with the call and the wait): the alert rule on throttling reads it. */
  logger?: Logger;
  /** Where a 429 is counted (responder.defender.throttled, by call kind). */
  metrics?: Pick<Metrics, 'add'>;
}

/**
 * One request to the Defender API with a bearer token from the credential,
 * never following a redirect: its JSON answer checked against `schema`
 * (null: as it comes), a failure as the error vocabulary (toDefenderError),
 * and a 429 logged and counted by call kind.
 */
export async function callApi<S extends z.ZodType>(
  api: ApiConnection,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  schema: S | null,
  call: { body?: unknown; form?: FormData; kind: DefenderCallKind; what?: string; machineId?: string },
): Promise<S extends z.ZodType ? z.infer<S> : unknown> {
  const options = { ...call, what: call.what ?? call.kind };
  const token = await api.credential.getToken(api.scope);
  if (!token) throw new TransientError(`${options.what}: no access token was returned by the credential`);
  const headers: Record<string, string> = { Authorization: `Bearer ${token.token}`, Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await api.fetch(api.baseUrl + path, {
      method,
      headers,
      // A FormData body gets its multipart Content-Type (with boundary) from fetch.
      body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      redirect: 'error',
      signal: AbortSignal.timeout(api.requestTimeoutMs),
    });
  } catch (error) {
    throw new TransientError(`${options.what}: request failed before a response`, { cause: kindOf(error) });
  }
  const text = await response.text();
  if (response.status === 429) {
    api.metrics?.add('defenderThrottled', 1, { call: options.kind });
    api.logger?.log('warn', 'Defender answered 429', {
      call: options.what,
      machineId: options.machineId,
      retryAfter: response.headers.get('retry-after'),
    });
  }
  if (!response.ok) {
    throw toDefenderError({
      status: response.status,
      bodyText: text,
      retryAfterHeader: response.headers.get('retry-after'),
      defaultRetryAfterMs: api.defaultRetryAfterMs,
      what: options.what,
      machineId: options.machineId,
    });
  }
  let json: unknown;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch (error) {
    throw new TransientError(`${options.what}: response is not JSON`, { cause: error });
  }
  if (!schema) return json as S extends z.ZodType ? z.infer<S> : unknown;
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new TransientError(`${options.what}: unexpected response shape: ${parsed.error.message}`);
  return parsed.data as S extends z.ZodType ? z.infer<S> : unknown;
}
