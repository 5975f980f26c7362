import { PermanentError, ThrottledError, TransientError } from '../errors.js';
import { retryAfterMs } from '../defender/httpErrors.js';

/** A sink answered that it will never take this notification (a 4xx other than 408 and 429, or a redirect). */
export class SinkRefusedError extends PermanentError {}

export interface PostOptions {
  /** The sink's name in errors and logs: never its URL, which is a secret. */
  sink: string;
  timeoutMs: number;
  /** Wait after a 429 without Retry-After. */
  defaultRetryAfterMs: number;
  nowMs: number;
  fetch?: typeof fetch;
}

/**
 * POSTs a notification and maps the answer to the error vocabulary, so the
 * delivery contract retries it: 2xx delivered; 429 throttled (Retry-After);
 * 408, 5xx, a time-out or a broken connection transient (backoff, then
 * TransientRetriesExhausted); any other answer, a redirect included (never
 * followed), refused for good. Errors name the sink and the status, never
 * the URL or the body.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<void> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const kind = error instanceof Error ? error.name : 'error';
    throw new TransientError(`${options.sink}: the POST failed before an answer (${kind})`);
  }
  // The answer's body is not read beyond draining it: a sink may echo what it was sent.
  await response.body?.cancel().catch(() => undefined);
  const what = `${options.sink} answered HTTP ${response.status}`;
  if (response.status >= 200 && response.status < 300) return;
  if (response.status === 429) {
    throw new ThrottledError(what, retryAfterMs(response.headers.get('retry-after'), options.defaultRetryAfterMs, options.nowMs));
  }
  if (response.status === 408 || response.status >= 500) throw new TransientError(what);
  throw new SinkRefusedError(response.status >= 300 && response.status < 400 ? `${what} (a redirect; not followed)` : what);
}
