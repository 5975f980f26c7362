import { describe, expect, it } from 'vitest';
import { IdSource } from '../../../simulator/ids.js';
import { isoUtcTrimmed, subMillisecondTicks, valueFormat } from '../../../simulator/valueFormats.js';

const AT = Date.UTC(2024, 4, 1, 10, 2, 3, 120);

describe('isoUtcTrimmed', () => {
  it.each([
    [AT, 0, '2024-05-01T10:02:03.12Z'],
    [AT + 3, 4567, '2024-05-01T10:02:03.1234567Z'],
    [AT + 3, 4560, '2024-05-01T10:02:03.123456Z'],
    [AT - 20, 0, '2024-05-01T10:02:03.1Z'],
    [AT - 120, 0, '2024-05-01T10:02:03Z'],
    [AT - 120, 1, '2024-05-01T10:02:03.0000001Z'],
  ])('writes %s ms + %s ticks as %s', (ms, ticks, expected) => {
    // Act
    const text = isoUtcTrimmed(ms, ticks);
    // Assess
    expect(text).toBe(expected);
  });

  it('refuses ticks that are a millisecond or more', () => {
    // Act
    const act = () => isoUtcTrimmed(AT, 10_000);
    // Assess
    expect(act).toThrow(RangeError);
  });
});

describe('subMillisecondTicks', () => {
  it('draws ticks below a millisecond at every precision from 100 ns to none', () => {
    // Prepare
    const ids = new IdSource(7);
    // Act
    const ticks = Array.from({ length: 200 }, (_, i) => subMillisecondTicks(ids.key(`t${i}`)));
    // Assess
    expect(ticks.every((t) => Number.isInteger(t) && t >= 0 && t < 10_000)).toBe(true);
    expect(ticks.some((t) => t === 0)).toBe(true);
    expect(ticks.some((t) => t % 1000 === 0 && t !== 0)).toBe(true);
    expect(ticks.some((t) => t % 10 !== 0)).toBe(true);
  });
});

describe('valueFormat', () => {
  it('keeps the simulator form: 7 digits, the action id in the transcript path, no NULs', () => {
    // Prepare
    const format = valueFormat('simulator', new IdSource(1));
    // Act
    const time = format.time(AT, 'x');
    const path = format.transcriptPath('abc');
    // Assess
    expect(time).toBe('2024-05-01T10:02:03.1200000Z');
    expect(format.commandTime(AT)).toBe('2024-05-01T10:02:03.1200000Z');
    expect(path).toBe('C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Temp\\PSScript_Transcript_abc.txt');
    expect(format.trailingNuls(path)).toBe(0);
  });

  it('gives an entity time the same ticks for the same seed, entity and time, and other ticks for another seed', () => {
    // Prepare
    const one = valueFormat('defender', new IdSource(1));
    const same = valueFormat('defender', new IdSource(1));
    const other = valueFormat('defender', new IdSource(2));
    const entities = Array.from({ length: 20 }, (_, i) => `e${i}`);
    // Act
    const times = entities.map((e) => one.time(AT, e));
    // Assess
    expect(entities.map((e) => same.time(AT, e))).toEqual(times);
    expect(entities.map((e) => other.time(AT, e))).not.toEqual(times);
    expect(times.every((t) => t.startsWith('2024-05-01T10:02:03.12') && !/0Z$/.test(t))).toBe(true);
  });

  it('writes command times to the millisecond in the defender form', () => {
    // Prepare
    const format = valueFormat('defender', new IdSource(1));
    // Act
    const time = format.commandTime(AT + 3);
    // Assess
    expect(time).toBe('2024-05-01T10:02:03.123Z');
    expect(format.commandTime(undefined)).toBeNull();
  });
});
