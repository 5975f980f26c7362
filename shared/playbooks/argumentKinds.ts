import { fail, ok, type Result } from '../result.js';
import type { ArgumentKind } from './schema.js';

/**
 * Strict validators for values that reach a RunScript `Args` string. A value
 * that is not exactly of its kind is refused with the reason; it is never
 * cleaned up and used. Accepted values contain only characters that neither
 * Live Response nor PowerShell interprets, so they need no quoting.
 */
const VALIDATORS: Record<ArgumentKind, (value: string) => string | undefined> = {
  pid: (v) => (/^[0-9]{1,10}$/.test(v) && Number(v) > 0 && Number(v) <= 0xffffffff ? undefined : 'a process id: 1 to 10 digits, 1..4294967295'),
  token: (v) => (/^[a-z0-9][a-z0-9-]{0,63}$/.test(v) ? undefined : 'a token of lower-case letters, digits and -'),
};

export function validateArgument(kind: ArgumentKind, value: unknown): Result<string, string> {
  if (typeof value !== 'string' && typeof value !== 'number') return fail(`expected ${kind}, got ${value === undefined ? 'nothing' : typeof value}`);
  const text = String(value);
  const problem = VALIDATORS[kind](text);
  return problem ? fail(`expected ${problem}; refused ${JSON.stringify(text.slice(0, 80))}`) : ok(text);
}
