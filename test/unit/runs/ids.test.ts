import { describe, expect, it } from 'vitest';
import { alertRunId, isRunId, manualRunId, scheduleRunId } from '../../../shared/runs/ids.js';

describe('run ids', () => {
  it.each([
    ['an alert run id', alertRunId('da637', 'triage', 'dev1')],
    ['a schedule run id', scheduleRunId('sweep', 1_700_000_000_000)],
    ['a keyed manual run id', manualRunId('ticket-7')],
    ['a random manual run id', manualRunId()],
  ])('accepts %s', (_what, id) => {
    expect(isRunId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['no kind letter', '-abc'],
    ['upper case', 'A-abc'],
    ['a path', 'a-abc/../x'],
    ['too long', `a-${'0'.repeat(41)}`],
    ['no body', 'a-'],
  ])('refuses %s', (_what, text) => {
    expect(isRunId(text)).toBe(false);
  });
});
