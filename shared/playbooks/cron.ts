import { fail, ok, type Result } from '../result.js';

/**
 * Six-field NCRONTAB (`second minute hour day month day-of-week`), the form
 * Azure Functions timers use. Fields take `*`, numbers, lists (`1,5`), ranges
 * (`1-5`) and steps (`*\/15`, `0-30/10`); month and day-of-week also take
 * English three-letter names in any case (`Jan`, `Mon-Fri`), as Azure does.
 * Evaluated in UTC.
 */
export interface CronSchedule {
  source: string;
  fields: Set<number>[];
}

const RANGES: [number, number][] = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];
const NAMES = ['second', 'minute', 'hour', 'day', 'month', 'day-of-week'];
/** Names a field accepts for its numbers: months from 1, days of the week from 0 (Sunday). */
const VALUE_NAMES: Record<number, { names: string[]; first: number }> = {
  4: { names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], first: 1 },
  5: { names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], first: 0 },
};

export function parseCron(source: string): Result<CronSchedule, string> {
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 6) return fail(`expected 6 fields (second minute hour day month day-of-week), got ${parts.length}`);
  const fields: Set<number>[] = [];
  for (const [i, part] of parts.entries()) {
    const range = RANGES[i] as [number, number];
    const values = parseField(numbered(part, VALUE_NAMES[i]), range);
    if (!values) return fail(`${NAMES[i] ?? 'field'} "${part}" is not valid (allowed ${range[0]}-${range[1]}, *, lists, ranges, steps)`);
    fields.push(values);
  }
  return ok({ source, fields });
}

/** The field with each name it accepts replaced by its number (a name it does not accept stays, and fails). */
function numbered(text: string, named: { names: string[]; first: number } | undefined): string {
  if (!named) return text;
  return text.replace(/[a-z]+/gi, (word) => {
    const index = named.names.indexOf(word.toLowerCase());
    return index < 0 ? word : String(index + named.first);
  });
}

function parseField(text: string, [min, max]: [number, number]): Set<number> | undefined {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!match) return undefined;
    const start = match[1] === '*' ? min : Number(match[2]);
    const end = match[1] === '*' ? max : match[3] !== undefined ? Number(match[3]) : match[4] !== undefined ? max : start;
    const step = match[4] !== undefined ? Number(match[4]) : 1;
    if (start < min || end > max || start > end || step < 1) return undefined;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return values;
}

export function matches(schedule: CronSchedule, ms: number): boolean {
  const d = new Date(ms);
  const parts = [d.getUTCSeconds(), d.getUTCMinutes(), d.getUTCHours(), d.getUTCDate(), d.getUTCMonth() + 1, d.getUTCDay()];
  return parts.every((value, i) => schedule.fields[i]?.has(value) ?? false);
}

/** Firing instants in (fromMs, toMs], whole seconds, oldest first. */
export function firingsBetween(schedule: CronSchedule, fromMs: number, toMs: number): number[] {
  const firings: number[] = [];
  for (let t = Math.floor(fromMs / 1000) * 1000 + 1000; t <= toMs; t += 1000) {
    if (matches(schedule, t)) firings.push(t);
  }
  return firings;
}
