/** A command-line option that must be a positive whole number; `fallback` when it is not given. */
export function positiveWhole(flag: string, text: string | undefined, fallback: number): number {
  const value = Number(text ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag}: expected a positive whole number, got ${text ?? ''}`);
  return value;
}
