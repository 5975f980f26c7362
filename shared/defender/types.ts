import { z } from 'zod';

/**
 * Defender for Endpoint API shapes the responder uses, as documented in
 * shared/reference/mde-api.md (sections 2-6). Responses are parsed leniently
 * (unknown fields pass through, documented fields are checked) because the
 * service adds fields over time.
 */

export const ACTION_STATUSES = ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'] as const;
export const actionStatusSchema = z.enum(ACTION_STATUSES);
export type ActionStatus = z.infer<typeof actionStatusSchema>;

export const TERMINAL_STATUSES: ReadonlySet<ActionStatus> = new Set(['Succeeded', 'Failed', 'TimeOut', 'Cancelled']);
export const isTerminal = (status: ActionStatus): boolean => TERMINAL_STATUSES.has(status);

export const COMMAND_TYPES = ['PutFile', 'RunScript', 'GetFile'] as const;
export const commandTypeSchema = z.enum(COMMAND_TYPES);
export type CommandType = z.infer<typeof commandTypeSchema>;

export const commandParamSchema = z.object({ key: z.string(), value: z.string() });
export type CommandParam = z.infer<typeof commandParamSchema>;

/** One Live Response command exactly as sent in `Commands[]`. */
export const liveResponseCommandSchema = z.object({
  type: commandTypeSchema,
  params: z.array(commandParamSchema),
});
export type LiveResponseCommand = z.infer<typeof liveResponseCommandSchema>;

/** Body of POST /api/machines/{id}/runliveresponse (keys are case-sensitive). */
export interface RunLiveResponseRequest {
  Commands: LiveResponseCommand[];
  Comment: string;
}

export const actionCommandSchema = z
  .object({
    index: z.number().int().nonnegative(),
    startTime: z.string().nullable().optional(),
    endTime: z.string().nullable().optional(),
    commandStatus: z.string(),
    errors: z.array(z.unknown()).default([]),
    command: liveResponseCommandSchema,
  })
  .loose();
export type ActionCommand = z.infer<typeof actionCommandSchema>;

export const machineActionSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    status: actionStatusSchema,
    machineId: z.string(),
    computerDnsName: z.string().nullable().optional(),
    requestor: z.string().nullable().optional(),
    requestorComment: z.string().nullable().optional(),
    creationDateTimeUtc: z.string(),
    lastUpdateDateTimeUtc: z.string().nullable().optional(),
    errorHResult: z.number().optional(),
    commands: z.array(actionCommandSchema).default([]),
  })
  .loose();
export type MachineAction = z.infer<typeof machineActionSchema>;

export const machineSchema = z
  .object({
    id: z.string(),
    computerDnsName: z.string().nullable().optional(),
    osPlatform: z.string().nullable().optional(),
    healthStatus: z.string().nullable().optional(),
    machineTags: z.array(z.string()).default([]),
    lastSeen: z.string().nullable().optional(),
  })
  .loose();
export type Machine = z.infer<typeof machineSchema>;

export const libraryFileSchema = z
  .object({
    fileName: z.string(),
    sha256: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    hasParameters: z.boolean().optional(),
    parametersDescription: z.string().nullable().optional(),
    creationTime: z.string().optional(),
    lastUpdatedTime: z.string().optional(),
    createdBy: z.string().optional(),
  })
  .loose();
export type LibraryFile = z.infer<typeof libraryFileSchema>;

/** RunScript result transcript (the JSON behind a RunScript download link). */
export const scriptTranscriptSchema = z
  .object({
    script_name: z.string(),
    exit_code: z.number(),
    script_output: z.string(),
    script_errors: z.string(),
  })
  .loose();
export type ScriptTranscript = z.infer<typeof scriptTranscriptSchema>;

export const errorEnvelopeSchema = z.object({
  error: z.object({ code: z.string(), message: z.string().optional(), target: z.string().optional() }).loose(),
});
