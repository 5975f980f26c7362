/**
 * Structured logging. Every record carries the ids it is about (runId,
 * deviceId, actionId); values are redacted so that tokens and result links
 * never reach a log, whatever a caller passes.
 */
import { redactFields, redactText } from './redaction.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (level: LogLevel, record: Record<string, unknown>) => void;

export function createLogger(sink: LogSink, base: LogFields = {}): Logger {
  return {
    log(level, message, fields = {}) {
      sink(level, { ...redactFields({ ...base, ...fields }), message: redactText(message) });
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
