import type { IdSource } from './ids.js';
import type { ValueFormats } from './strictness.js';
import { isoUtc7, isoUtc7OrNull } from './time.js';

/**
 * How values are written (README choice 30). `simulator`: the historical
 * forms (7 fractional digits, the app id as requestor, plain links).
 * `defender`: as real Defender responses write them: .NET's round-trip
 * format with trailing zeros trimmed (`…03.12Z`, `…03.1234567Z`, `…03Z`),
 * entity times carrying sub-millisecond ticks, command times to the
 * millisecond.
 */
export interface ValueFormat {
  readonly kind: ValueFormats;
  /** An entity's timestamp; `entity` names it (its sub-millisecond ticks are a seeded function of entity and time). */
  time(ms: number, entity: string): string;
  timeOrNull(ms: number | undefined, entity: string): string | null;
  /** A command's startTime/endTime. */
  commandTime(ms: number | undefined): string | null;
  /** The file a Windows RunScript's PowerShell transcript is written to. */
  transcriptPath(actionId: string): string;
  /** How many NUL characters end a Windows transcript's `script_output` (written to `transcriptPath`). */
  trailingNuls(transcriptPath: string): number;
}

const TRANSCRIPT_DIR = 'C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Temp';
/** At most this many NULs end a transcript's output in the defender form. */
export const MAX_TRAILING_NULS = 16;

const TICKS_PER_MS = 10_000;

/**
 * ISO-8601 UTC of `ms` plus `ticks` hundred-nanosecond ticks (0-9999), with
 * the fraction's trailing zeros trimmed and no dot when nothing is left
 * (.NET's `FFFFFFF`, as Defender's JSON writes dates).
 */
export function isoUtcTrimmed(ms: number, ticks = 0): string {
  if (!Number.isInteger(ticks) || ticks < 0 || ticks >= TICKS_PER_MS) throw new RangeError(`ticks must be 0-9999, got ${ticks}`);
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString();
  const fraction = `${iso.slice(20, 23)}${String(ticks).padStart(4, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/**
 * Sub-millisecond ticks (0-9999) from a hash. Their precision is drawn too
 * (100 ns, 1 µs, 10 µs, 100 µs or none), so every fraction length from 7
 * digits down occurs within a few values, not only the 7- and 6-digit forms
 * uniform ticks would almost always give.
 */
export function subMillisecondTicks(hash: Buffer): number {
  const ticks = hash.readUInt16BE(0) % TICKS_PER_MS;
  const precision = 10 ** ((hash[2] ?? 0) % 5);
  return precision === TICKS_PER_MS ? 0 : ticks - (ticks % precision);
}

const simulatorFormat: ValueFormat = {
  kind: 'simulator',
  time: (ms) => isoUtc7(ms),
  timeOrNull: (ms) => isoUtc7OrNull(ms),
  commandTime: isoUtc7OrNull,
  transcriptPath: (actionId) => `${TRANSCRIPT_DIR}\\PSScript_Transcript_${actionId}.txt`,
  trailingNuls: () => 0,
};

function defenderFormat(ids: IdSource): ValueFormat {
  const time = (ms: number, entity: string): string => isoUtcTrimmed(ms, subMillisecondTicks(ids.key(`ticks:${entity}:${ms}`)));
  return {
    kind: 'defender',
    time,
    timeOrNull: (ms, entity) => (ms === undefined ? null : time(ms, entity)),
    commandTime: (ms) => (ms === undefined ? null : isoUtcTrimmed(ms)),
    transcriptPath: () => `${TRANSCRIPT_DIR}\\PSScriptOutputs\\PSScript_Transcript_{${ids.guid('transcript').toUpperCase()}}.txt`,
    // Some transcripts end clean, most with a few NULs (the file's unused tail, read back as text).
    trailingNuls: (path) => (ids.key(`nuls:${path}`)[0] ?? 0) % (MAX_TRAILING_NULS + 1),
  };
}

export function valueFormat(kind: ValueFormats, ids: IdSource): ValueFormat {
  return kind === 'defender' ? defenderFormat(ids) : simulatorFormat;
}
