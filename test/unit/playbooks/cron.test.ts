import { describe, expect, it } from 'vitest';
import { firingsBetween, parseCron } from '../../../shared/playbooks/cron.js';

const at = (iso: string): number => Date.parse(iso);

describe('NCRONTAB schedules', () => {
  it('finds the nightly 02:00 firing inside a window', () => {
    const cron = parseCron('0 0 2 * * *');
    if (!cron.ok) throw new Error(cron.errors);
    expect(firingsBetween(cron.value, at('2026-11-20T01:55:00Z'), at('2026-11-20T02:05:00Z'))).toEqual([at('2026-11-20T02:00:00Z')]);
    expect(firingsBetween(cron.value, at('2026-11-20T02:00:00Z'), at('2026-11-20T02:05:00Z'))).toEqual([]);
  });

  it('supports steps, ranges and lists', () => {
    const cron = parseCron('0 */15 9-10 * * 1,5');
    if (!cron.ok) throw new Error(cron.errors);
    // 2026-11-20 is a Friday.
    expect(firingsBetween(cron.value, at('2026-11-20T08:59:00Z'), at('2026-11-20T09:31:00Z'))).toEqual(
      ['09:00', '09:15', '09:30'].map((t) => at(`2026-11-20T${t}:00Z`)),
    );
  });

  it('accepts month and day names as Azure does, in any case', () => {
    const named = parseCron('0 30 9 * Jan,nov MON-Fri');
    const numbered = parseCron('0 30 9 * 1,11 1-5');
    if (!named.ok || !numbered.ok) throw new Error('not parsed');
    expect(named.value.fields).toEqual(numbered.value.fields);
    // 2026-11-20 is a Friday, 2026-11-21 a Saturday.
    expect(firingsBetween(named.value, at('2026-11-20T00:00:00Z'), at('2026-11-22T00:00:00Z'))).toEqual([at('2026-11-20T09:30:00Z')]);
  });

  it.each([
    ['0 0 2 * *', /expected 6 fields/],
    ['0 0 2 * Mon *', /month "Mon"/],
    ['0 0 2 Jan * *', /day "Jan"/],
    ['0 61 * * * *', /minute "61"/],
    ['0 0 2 * * 7', /day-of-week "7"/],
    ['x 0 2 * * *', /second "x"/],
  ])('refuses %s', (text, message) => {
    const cron = parseCron(text);
    expect(cron.ok).toBe(false);
    if (!cron.ok) expect(cron.errors).toMatch(message);
  });
});
