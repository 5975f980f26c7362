/**
 * One error vocabulary. Every error the domain throws is a ResponderError; the
 * subclass tells a queue handler what to do with the message (the delivery
 * contract, docs/architecture.md; what a handler lets escape is settled so by
 * shared/bus/settleExpected.ts):
 * - PermanentError: dead-letter the message with the reason (never retry);
 * - ThrottledError: reschedule after `retryAfterMs` without burning a delivery;
 * - TransientError: reschedule with backoff, dead-letter after too many.
 * Anything else reaching the trigger is a bug: the queue abandons the message.
 * Adapters translate SDK and HTTP failures into these; domain code never sees
 * an SDK error.
 */
export class ResponderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that will never become valid by retrying (malformed alert, bad playbook, 400). */
export class PermanentError extends ResponderError {}

/** Invalid input, with the path of each offending field. */
export class ValidationError extends PermanentError {
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One bad setting: its name and what is wrong with it. */
export interface SettingProblem {
  setting: string;
  message: string;
}

/** Missing or invalid settings, each named (`setting` is the first). */
export class ConfigError extends PermanentError {
  readonly problems: readonly SettingProblem[];

  constructor(
    readonly setting: string,
    message: string,
    more: readonly SettingProblem[] = [],
  ) {
    const problems = [{ setting, message }, ...more];
    const each = problems.map((p) => `setting ${p.setting}: ${p.message}`);
    super(problems.length === 1 ? (each[0] ?? '') : `${problems.length} settings are invalid: ${each.join('; ')}`);
    this.problems = problems;
  }

  /** One error for every problem found (at least one). */
  static of(problems: readonly SettingProblem[]): ConfigError {
    const [first, ...more] = problems;
    if (!first) throw new Error('ConfigError.of needs at least one problem');
    return new ConfigError(first.setting, first.message, more);
  }
}

/** The API said "not now": wait `retryAfterMs` (from Retry-After when given). */
export class ThrottledError extends ResponderError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The device already has a live response action running (400 ActiveRequestAlreadyExists). */
export class DeviceBusyError extends ResponderError {
  constructor(
    readonly deviceId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The resource does not exist (404). */
export class NotFoundError extends PermanentError {}

/** The credential lacks a permission, or the operation is disallowed (401/403). */
export class ForbiddenError extends PermanentError {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A fault worth retrying (5xx, network, timeout). */
export class TransientError extends ResponderError {}

/**
 * A compare-and-swap write lost the race `attempts` times in a row. Transient:
 * the message is retried by its queue, by which time the writers have spread out.
 */
export class ContendedError extends TransientError {
  constructor(
    readonly resource: string,
    readonly attempts: number,
  ) {
    super(`${resource} is contended: ${attempts} conflicting updates in a row`);
  }
}

/** A record was asked to move between two states its state machine does not connect (a fault, never retried into success). */
export class InvalidTransitionError extends ResponderError {
  constructor(
    readonly resource: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`${resource}: no transition from '${from}' to '${to}'`);
  }
}

/** The Defender API rejected the request as invalid (400 other than a busy device). */
export class BadRequestError extends PermanentError {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
