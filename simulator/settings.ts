import { z } from 'zod';
import { DAY_MS, MINUTE_MS } from '../shared/clock.js';
import { strictnessSettingsSchema } from './strictness.js';

const MIB = 1024 * 1024;
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

/**
 * Limits, time-outs and durations of the simulated service. Each default is
 * the documented value (mde-api.md) or, where Microsoft is silent, the
 * simulator's choice (named in README.md).
 */
export const settingsSchema = z.strictObject({
  /** The strictness profile and its settings (strictness.ts, README "Strictness"). */
  ...strictnessSettingsSchema,
  /** runliveresponse calls per 60 s per app+tenant (documented: 10). */
  liveResponseCallsPerMinute: positiveInt.default(10),
  /** POST alerts/batchUpdate calls per 60 s per app+tenant (documented: 10) ... */
  batchUpdateAlertsCallsPerMinute: positiveInt.default(10),
  /** ... and per hour (documented: 500). */
  batchUpdateAlertsCallsPerHour: positiveInt.default(500),
  /** Every other endpoint, per endpoint per app+tenant: 100 per 60 s ... */
  callsPerMinute: positiveInt.default(100),
  /** ... and 1,500 per hour. */
  callsPerHour: positiveInt.default(1500),
  /** Concurrent live response sessions per app+tenant (documented: 25). */
  maxConcurrentSessions: positiveInt.default(25),
  /** Whether Pending (queued) actions count as sessions (choice: yes, per a practitioner report). */
  sessionsCountPending: z.boolean().default(true),
  /** Retry-After on a session-limit 429 (choice: the service cannot know when a session frees). */
  sessionLimitRetryAfterSeconds: positiveInt.default(60),
  /** RunScript time-out (documented: 10 minutes). */
  runScriptTimeoutMs: positiveInt.default(10 * MINUTE_MS),
  /** How long an action waits for an offline device before TimeOut (documented: 3 days). */
  offlineQueueMs: positiveInt.default(3 * DAY_MS),
  /** Delay between a device being online and picking up a pending action (choice). */
  pickupDelayMs: nonNegativeInt.default(5_000),
  /** Duration of a PutFile command (choice). */
  putFileDurationMs: nonNegativeInt.default(3_000),
  /** Fixed part of a GetFile command (choice) ... */
  getFileBaseDurationMs: nonNegativeInt.default(2_000),
  /** ... plus size / this upload bandwidth (choice: 10 MiB/s). */
  getFileBytesPerSecond: positiveInt.default(10 * MIB),
  /** Largest file GetFile collects (portal documentation: 3 GB). */
  getFileMaxBytes: positiveInt.default(3 * 1024 * MIB),
  /** Time a failing lookup (missing library file, bad Args, missing path) takes before the command fails (choice). */
  failFastMs: nonNegativeInt.default(1_000),
  /** Duration of a script with no behaviour in the fleet file (choice). */
  defaultScriptDurationMs: nonNegativeInt.default(5_000),
  /** Lifetime of a result download link (documented: 30 minutes). */
  downloadLinkTtlMs: positiveInt.default(30 * MINUTE_MS),
  /** Largest library upload (API documentation: 20 MB, taken as MiB). */
  libraryMaxBytes: positiveInt.default(20 * MIB),
  /** gzip level of GetFile downloads of literal content (0-9). Generated (random) content is always stored at level 0. */
  gzipLevel: z.number().int().min(0).max(9).default(1),
  /** Message of 400 ActiveRequestAlreadyExists (practitioner-observed text). */
  activeRequestMessage: z.string().default('Action is already in progress'),
});

export type SimulatorSettings = z.output<typeof settingsSchema>;
export type SimulatorSettingsInput = z.input<typeof settingsSchema>;
