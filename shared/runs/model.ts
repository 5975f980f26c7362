import { z } from 'zod';
import { actionStatusSchema, liveResponseCommandSchema } from '../defender/types.js';
import { transcriptSummarySchema } from '../evidence/transcript.js';

/**
 * Run and device-action records. A Run is one playbook answering one trigger
 * (an alert, a manual request, a schedule firing) on one or more devices; it
 * has one DeviceAction per device, and one EvidenceItem per collected file.
 */

export const triggerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('alert'), alertId: z.string(), alertTitle: z.string().optional() }),
  z.object({ kind: z.literal('manual'), requestedBy: z.string(), reason: z.string().optional() }),
  z.object({ kind: z.literal('schedule'), playbook: z.string(), firedAtMs: z.number() }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

/** The last instant a Date can hold (epoch ms): runs are created between 0 and this. */
export const MAX_CREATED_MS = 8_640_000_000_000_000;

export const runSchema = z.object({
  runId: z.string(),
  createdMs: z.number().min(0).max(MAX_CREATED_MS),
  trigger: triggerSchema,
  playbook: z.object({ name: z.string(), version: z.string(), contentSha256: z.string() }),
  deviceIds: z.array(z.string()),
  /** Devices the playbook could not target, with why (e.g. a refused argument). */
  refused: z.array(z.object({ deviceId: z.string(), reason: z.string() })).default([]),
  /** A manual run started with an idempotency key: who used the key and for what request (SHA-256), so a reuse for another is refused. */
  idempotency: z.object({ callerId: z.string(), requestSha256: z.string() }).optional(),
});
export type Run = z.infer<typeof runSchema>;

/**
 * queued     -> waiting for pacing admission
 * submitting -> POST in flight (outcome unknown until recorded)
 * submitted  -> Defender accepted it; `machineActionId` set; being polled
 * ended      -> Defender reports a terminal status; evidence being collected
 * rejected   -> Defender refused it permanently (404 device, 403, 400)
 * cancelled  -> an operator cancelled it before it was sent: never sent afterwards
 *               (one cancelled after it was sent ends as `ended`, actionStatus Cancelled)
 */
export const DEVICE_ACTION_STATES = ['queued', 'submitting', 'submitted', 'ended', 'rejected', 'cancelled'] as const;
export const deviceActionStateSchema = z.enum(DEVICE_ACTION_STATES);
export type DeviceActionState = z.infer<typeof deviceActionStateSchema>;

export const commandOutcomeSchema = z.object({
  index: z.number(),
  type: z.string(),
  commandStatus: z.string(),
  errors: z.array(z.string()).default([]),
  startTime: z.string().nullable().optional(),
  endTime: z.string().nullable().optional(),
});
export type CommandOutcome = z.infer<typeof commandOutcomeSchema>;

export const deviceActionSchema = z.object({
  runId: z.string(),
  deviceId: z.string(),
  deviceName: z.string().optional(),
  /** The commands exactly as sent to runliveresponse. */
  commands: z.array(liveResponseCommandSchema),
  /** The Comment sent; it carries the correlation token. */
  comment: z.string(),
  state: deviceActionStateSchema,
  machineActionId: z.string().optional(),
  actionStatus: actionStatusSchema.optional(),
  commandOutcomes: z.array(commandOutcomeSchema).default([]),
  /** Indexes of commands whose results are expected as evidence. */
  collectIndexes: z.array(z.number()).default([]),
  /** Results that can never be collected (a refused link, retries exhausted), with the reason: the run can end. */
  evidenceFailures: z
    .array(z.object({ commandIndex: z.number().int().nonnegative(), reason: z.string().max(2_000), atMs: z.number() }))
    .optional(),
  submitAttempts: z.number().default(0),
  /** Times the reconciliation sweep re-drove this action, in state `redriveState`, after it made no progress. */
  redrives: z.number().int().nonnegative().optional(),
  /** The state those re-drives were in: a new state starts the count again. */
  redriveState: deviceActionStateSchema.optional(),
  /** When the sweep last re-drove it (it waits another stale period from then). */
  redrivenMs: z.number().optional(),
  /** Cancel a still-Pending action at this instant (the playbook's deadline); default: submitted + the offline deadline. */
  deadlineMs: z.number().optional(),
  lastError: z.string().optional(),
  /** An operator asked to cancel (POST /api/runs/{id}/cancel): who, as verified, and why; the first request stands. */
  cancelledBy: z.string().max(500).optional(),
  cancelReason: z.string().max(500).optional(),
  cancelRequestedMs: z.number().optional(),
  createdMs: z.number(),
  updatedMs: z.number(),
  submittedMs: z.number().optional(),
  endedMs: z.number().optional(),
});
export type DeviceAction = z.infer<typeof deviceActionSchema>;

export const evidenceItemSchema = z.object({
  runId: z.string(),
  deviceId: z.string(),
  machineActionId: z.string(),
  commandIndex: z.number(),
  commandType: z.string(),
  /** Path on the device (GetFile) or script name (RunScript): data, never used to name the blob. */
  source: z.string(),
  blobName: z.string(),
  /** Bytes stored, exactly as Defender served them. */
  sizeBytes: z.number(),
  /** SHA-256 of the bytes stored. */
  sha256: z.string(),
  contentEncoding: z.string().optional(),
  /** SHA-256 and size of the original file when the stored bytes are an encoding of it (GetFile gzip). */
  originalSha256: z.string().optional(),
  originalSizeBytes: z.number().optional(),
  /** Content-Type the blob was stored with. */
  contentType: z.string().optional(),
  /** RunScript only: exit code and bounded, sanitised previews (the blob holds the transcript as served). */
  transcript: transcriptSummarySchema.optional(),
  /** The responder build that collected it (chain of custody). */
  collectorVersion: z.string().optional(),
  collectedMs: z.number(),
});
export type EvidenceItem = z.infer<typeof evidenceItemSchema>;

/** A record read together with the version tag a conditional write must quote. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

export interface RunView {
  run: Run;
  actions: DeviceAction[];
  evidence: EvidenceItem[];
}
