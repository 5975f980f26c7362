/**
 * Translation of Azure Storage (Blob, Table) SDK failures into the responder's
 * error vocabulary, so that domain code never sees a RestError.
 *
 * 409 and 412 are normally expected outcomes of conditional writes and are
 * turned into 'exists' / 'conflict' results by the callers (see
 * `storageStatus`); when one reaches this function it is unexpected and becomes
 * a PermanentError (retrying the same conditional write cannot succeed).
 */
import { ForbiddenError, NotFoundError, PermanentError, ResponderError, ThrottledError, TransientError } from '../errors.js';

/** Wait suggested for 429 / 503 ServerBusy when the service sends no Retry-After. */
export const DEFAULT_THROTTLE_WAIT_MS = 5_000;

/** What we read from a RestError; checked structurally because several copies of core-rest-pipeline may be loaded. */
interface RestErrorLike {
  name: string;
  message: string;
  statusCode?: number;
  code?: string;
  response?: { headers?: { get(name: string): string | undefined } };
}

function asRestError(error: unknown): RestErrorLike | undefined {
  if (!(error instanceof Error) || error.name !== 'RestError') return undefined;
  return error;
}

/** The HTTP status of a storage SDK error, if it carries one. */
export function storageStatus(error: unknown): number | undefined {
  const status = asRestError(error)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The storage error code (x-ms-error-code or OData code, e.g. 'BlobAlreadyExists'), if any. */
export function storageErrorCode(error: unknown): string | undefined {
  const code = asRestError(error)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Codes Azure Storage uses for a 409 that clears by itself (a delete still in progress). */
const TRANSIENT_CONFLICT_CODES = new Set(['TableBeingDeleted', 'ContainerBeingDeleted', 'BlobBeingRehydrated']);

/**
 * Maps `error` (thrown while doing `what`, e.g. "reading run r1") to a
 * ResponderError, to be thrown by the caller: `throw translateStorageError(e, 'x')`.
 * ResponderErrors pass through unchanged (e.g. an error raised by a stream
 * being uploaded). Errors without an HTTP status (network, timeout, abort)
 * are treated as transient.
 */
export function translateStorageError(error: unknown, what: string): ResponderError {
  if (error instanceof ResponderError) return error;
  const rest = asRestError(error);
  const status = rest?.statusCode;
  const code = rest?.code;
  const detail = describe(error, status, code);
  const message = `${what}: ${detail}`;
  const options = { cause: error };

  if (status === undefined) return new TransientError(message, options);
  if (status === 404) return new NotFoundError(message, options);
  if (status === 401 || status === 403) return new ForbiddenError(message, code ?? String(status), options);
  if (status === 429 || (status === 503 && code === 'ServerBusy')) {
    return new ThrottledError(message, retryAfterMs(rest), options);
  }
  if (status === 408 || status >= 500) return new TransientError(message, options);
  if (status === 409 && code !== undefined && TRANSIENT_CONFLICT_CODES.has(code)) {
    return new TransientError(message, options);
  }
  return new PermanentError(message, options);
}

function describe(error: unknown, status: number | undefined, code: string | undefined): string {
  const text = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  const tags = [status === undefined ? undefined : String(status), code].filter((t) => t !== undefined);
  return tags.length > 0 ? `${tags.join(' ')} ${text}` : text;
}

function retryAfterMs(error: RestErrorLike | undefined): number {
  const header = error?.response?.headers?.get('retry-after');
  if (header === undefined) return DEFAULT_THROTTLE_WAIT_MS;
  const seconds = Number(header);
  // Storage sends delta-seconds; an HTTP-date (not used by Storage) falls back to the default.
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : DEFAULT_THROTTLE_WAIT_MS;
}
