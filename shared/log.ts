/**
 * Structured logging. Every record carries the ids it is about (runId,
 * deviceId, actionId); values are redacted so that tokens and result links
 * never reach a log, whatever a caller passes.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (level: LogLevel, record: Record<string, unknown>) => void;

const SECRET_KEYS = /token|secret|password|authorization|sig|sas|link|url|key/i;
const URL_PATTERN = /\bhttps?:\/\/[^\s"']+/gi;

/** Removes anything that could be a credential or a download link. */
export function redact(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (SECRET_KEYS.test(key) && !/Id$|Ids$|Name$/.test(key)) {
      out[key] = '[redacted]';
    } else if (typeof value === 'string') {
      out[key] = redactText(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Replaces URLs in free text (error messages can quote them) and bearer tokens. */
export function redactText(text: string): string {
  return text.replace(URL_PATTERN, '[url redacted]').replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]');
}

export function createLogger(sink: LogSink, base: LogFields = {}): Logger {
  return {
    log(level, message, fields = {}) {
      sink(level, { ...redact({ ...base, ...fields }), message: redactText(message) });
    },
    child(fields) {
      return createLogger(sink, { ...base, ...fields });
    },
  };
}

/** One JSON object per line on stderr (stdout stays free for --json output). */
export const jsonLinesSink =
  (minLevel: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): LogSink =>
  (level, record) => {
    if (rank(level) < rank(minLevel)) return;
    write(JSON.stringify({ level, ...record }));
  };

export const silentLogger: Logger = createLogger(() => undefined);

function rank(level: LogLevel): number {
  return { debug: 0, info: 1, warn: 2, error: 3 }[level];
}
