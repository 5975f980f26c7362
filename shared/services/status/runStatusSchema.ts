import { z } from 'zod';
import { actionStatusSchema, liveResponseCommandSchema } from '../../defender/types.js';
import { commandOutcomeSchema, deviceActionStateSchema, evidenceItemSchema, runSchema, triggerSchema } from '../../runs/model.js';

/** Where a run is: waiting for pacing, running on devices, collecting results, or ended. */
export const RUN_PHASES = ['queued', 'running', 'collecting', 'ended'] as const;
export const runPhaseSchema = z.enum(RUN_PHASES);
export type RunPhase = z.infer<typeof runPhaseSchema>;

/**
 * One stored result. For a RunScript, `transcript` holds the exit code and
 * bounded, sanitised previews of its output and errors: text written on the
 * device, shown as data, never interpreted.
 */
export const evidenceStatusSchema = evidenceItemSchema.pick({
  commandIndex: true,
  commandType: true,
  blobName: true,
  sizeBytes: true,
  sha256: true,
  contentEncoding: true,
  originalSha256: true,
  originalSizeBytes: true,
  transcript: true,
});
export type EvidenceStatus = z.infer<typeof evidenceStatusSchema>;

/** The run as GET /api/runs/{id} and the local summary show it. */
export const runStatusSchema = z.object({
  runId: z.string(),
  /** When the run was recorded (ISO 8601, UTC). */
  created: z.string().optional(),
  phase: runPhaseSchema,
  trigger: triggerSchema,
  playbook: runSchema.shape.playbook,
  refused: runSchema.shape.refused,
  devices: z.array(
    z.object({
      deviceId: z.string(),
      deviceName: z.string().optional(),
      state: deviceActionStateSchema,
      /** When the action was queued, sent to Defender and seen ended (ISO 8601, UTC). */
      queuedAt: z.string().optional(),
      submittedAt: z.string().optional(),
      endedAt: z.string().optional(),
      actionId: z.string().optional(),
      actionStatus: actionStatusSchema.optional(),
      lastError: z.string().optional(),
      /** Set once an operator asked to cancel (POST /api/runs/{id}/cancel): who, as verified, and why. */
      cancelledBy: z.string().optional(),
      cancelReason: z.string().optional(),
      commands: z.array(liveResponseCommandSchema),
      commandOutcomes: z.array(commandOutcomeSchema),
      evidence: z.array(evidenceStatusSchema),
      evidencePending: z.array(z.number()),
      /** Results that can never be collected, with the reason (the run ends without them). */
      evidenceFailed: z.array(z.object({ commandIndex: z.number(), reason: z.string() })),
    }),
  ),
});
export type RunStatus = z.infer<typeof runStatusSchema>;
