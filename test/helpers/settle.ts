/** Runs `body` as a store call: its result resolves, a throw rejects, as an adapter's async method would. */
export function settle<T>(body: () => T): Promise<T> {
  return new Promise((resolve) => resolve(body()));
}
