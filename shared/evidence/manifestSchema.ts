import { z } from 'zod';
import { transcriptSummarySchema } from './transcript.js';

/**
 * The chain-of-custody manifest of one run (`<run>/manifest.json`): who or
 * what asked (trigger, alert), which playbook version ran, and for every
 * collected item the device, the machine action and command that produced
 * it, the action's times (UTC), where it is stored, its size and hashes, and
 * the collector build. Validated before every write.
 */
export const MANIFEST_SCHEMA_ID = 'mde-responder/manifest@2';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');
const utc = z.iso.datetime({ offset: false });

export const manifestTriggerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('alert'), alertId: z.string().min(1), alertTitle: z.string().optional() }),
  /** `requestedBy`: the caller's identity as the HTTP API recorded it. */
  z.strictObject({ kind: z.literal('manual'), requestedBy: z.string().min(1), reason: z.string().optional() }),
  z.strictObject({ kind: z.literal('schedule'), playbook: z.string().min(1), firedUtc: utc }),
]);

export const manifestItemSchema = z.strictObject({
  device: z.strictObject({ id: z.string().min(1), name: z.string().optional() }),
  machineActionId: z.string().min(1),
  action: z.strictObject({
    status: z.string().optional(),
    /** When the responder's submission was accepted, and when it saw the action end. */
    submittedUtc: utc.optional(),
    endedUtc: utc.optional(),
  }),
  command: z.strictObject({
    index: z.number().int().nonnegative(),
    type: z.string().min(1),
    /** Path on the device or script name, as sent (data: never used to name the blob). */
    source: z.string(),
    /** Defender's start and end of this command. */
    startedUtc: utc.optional(),
    endedUtc: utc.optional(),
  }),
  blob: z.strictObject({
    name: z.string().min(1),
    sizeBytes: z.number().int().nonnegative(),
    /** SHA-256 of the bytes stored, exactly as Defender served them. */
    sha256,
    contentType: z.string().optional(),
    /** `gzip` for GetFile (Defender serves the file gzipped), `identity` otherwise. */
    contentEncoding: z.string().min(1),
  }),
  /** The file as it was on the device (the gunzipped content), when the stored bytes encode it. */
  original: z.strictObject({ sha256, sizeBytes: z.number().int().nonnegative() }).optional(),
  transcript: transcriptSummarySchema.optional(),
  collectedUtc: utc,
  collectorVersion: z.string().min(1),
});

export const manifestSchema = z.strictObject({
  schema: z.literal(MANIFEST_SCHEMA_ID),
  runId: z.string().min(1),
  createdUtc: utc,
  generatedUtc: utc,
  /** The build that wrote this version of the manifest (each item names its own collector). */
  generatorVersion: z.string().min(1),
  trigger: manifestTriggerSchema,
  /** The alert that started the run; null for manual and scheduled runs. */
  alertId: z.string().min(1).nullable(),
  playbook: z.strictObject({ name: z.string().min(1), version: z.string().min(1), contentSha256: sha256 }),
  devices: z.array(
    z.strictObject({
      deviceId: z.string().min(1),
      deviceName: z.string().optional(),
      machineActionId: z.string().optional(),
      status: z.string().optional(),
      submittedUtc: utc.optional(),
      endedUtc: utc.optional(),
      /** The commands exactly as sent to runliveresponse. */
      commands: z.array(z.strictObject({ type: z.string(), params: z.array(z.strictObject({ key: z.string(), value: z.string() })) })),
    }),
  ),
  refused: z.array(z.strictObject({ deviceId: z.string(), reason: z.string() })),
  items: z.array(manifestItemSchema),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestItem = z.infer<typeof manifestItemSchema>;
