import { z } from 'zod';
import { parseCron } from '../playbooks/cron.js';

/** A six-field NCRONTAB setting; with `off`, the word that turns its timer off is accepted too. */
export function cronSetting(example: string, options: { off?: boolean } = {}) {
  const hint = `a six-field NCRONTAB expression such as ${example}${options.off ? ', or off' : ''}`;
  return z.string().refine((c) => (options.off === true && c === 'off') || parseCron(c).ok, hint);
}

/** A timer's schedule from its setting: undefined when it is `off`. */
export const scheduleOf = (value: string): string | undefined => (value === 'off' ? undefined : value);
