import { z } from 'zod';

/** Bodies of the internal queues. Ids only: every handler reloads state from the run store. */
export const actionMessageSchema = z.strictObject({ runId: z.string().min(1), deviceId: z.string().min(1) });
export type ActionMessage = z.infer<typeof actionMessageSchema>;

/** The one tenant-wide poll tick (see services/polling/pollTick.ts). */
export const pollTickMessageSchema = z.strictObject({ seq: z.number().int().nonnegative(), tickMs: z.number().int() });
export type PollTickMessage = z.infer<typeof pollTickMessageSchema>;

export const collectMessageSchema = z.strictObject({
  runId: z.string().min(1),
  deviceId: z.string().min(1),
  machineActionId: z.string().min(1),
  commandIndex: z.number().int().nonnegative(),
  /** Retries so far after throttling or a failed transfer. */
  attempt: z.number().int().nonnegative().default(0),
});
export type CollectMessage = z.infer<typeof collectMessageSchema>;
