import {
  BadRequestError,
  DeviceBusyError,
  ForbiddenError,
  NotFoundError,
  ThrottledError,
  TransientError,
  type ResponderError,
} from '../errors.js';
import { errorEnvelopeSchema } from './types.js';

/**
 * Maps a Defender API HTTP failure to the error vocabulary. `code` comes from
 * the documented envelope `{"error":{"code","message","target"}}`; the message
 * is free text (do not parse it) and is kept only for people to read.
 */
export function toDefenderError(input: {
  status: number;
  bodyText: string;
  retryAfterHeader: string | null;
  defaultRetryAfterMs: number;
  what: string;
  machineId?: string;
}): ResponderError {
  const envelope = parseEnvelope(input.bodyText);
  const code = envelope?.code ?? `Http${input.status}`;
  const detail = `${input.what}: HTTP ${input.status} ${code}${envelope?.message ? ` - ${envelope.message}` : ''}`;
  if (input.status === 429) {
    return new ThrottledError(detail, retryAfterMs(input.retryAfterHeader, input.defaultRetryAfterMs));
  }
  if (input.status === 400 && code === 'ActiveRequestAlreadyExists') {
    return new DeviceBusyError(input.machineId ?? 'unknown', detail);
  }
  if (input.status === 404) return new NotFoundError(detail);
  if (input.status === 401 || input.status === 403) return new ForbiddenError(detail, code);
  if (input.status >= 500 || input.status === 408) return new TransientError(detail);
  return new BadRequestError(detail, code);
}

/** Retry-After in seconds (the documented form) or an HTTP date; a default when absent. */
export function retryAfterMs(header: string | null, defaultMs: number, nowMs: number = Date.now()): number {
  if (header === null || header.trim() === '') return defaultMs;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const dateMs = Date.parse(header);
  if (Number.isFinite(dateMs)) return Math.max(0, dateMs - nowMs);
  return defaultMs;
}

function parseEnvelope(text: string): { code: string; message?: string } | undefined {
  try {
    const parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}
