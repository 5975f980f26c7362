import { redactText } from '../redaction.js';

/** What a bounded read gave: its value, or why not (a redacted failure, or no answer in time). */
export type Bounded<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Runs `work` for at most `timeoutMs` of wall time (an operator's read: the
 * health check, the status parts). A failure or a missing answer becomes a
 * reason, redacted and cut to `reasonChars`; the timer is always cleared.
 */
export async function withinTime<T>(work: () => Promise<T>, timeoutMs: number, reasonChars = 300): Promise<Bounded<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Bounded<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const answered = work().then(
    (value): Bounded<T> => ({ ok: true, value }),
    (error: unknown): Bounded<T> => ({
      ok: false,
      reason: redactText(error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, reasonChars),
    }),
  );
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
