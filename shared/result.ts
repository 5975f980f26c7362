/** Expected failures are values, not exceptions. */
export type Result<T, E = Issue[]> = { ok: true; value: T } | { ok: false; errors: E };

/** One problem with an input: where it is and what was expected. */
export interface Issue {
  path: string;
  message: string;
}

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(errors: E): Result<never, E> => ({ ok: false, errors });
