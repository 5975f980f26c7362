import { createHash } from 'node:crypto';
import { z } from 'zod';
import { present, toMs } from './alert.js';
import { readAdditionalFields } from './additionalFields.js';
import { techniqueIds } from './sources.js';

/**
 * One streamed record (an AlertInfo or AlertEvidence row) reduced to the
 * facts the responder reads, each bounded in length, so an alert's rows can
 * be kept together across messages (the assembler) in bounded storage.
 * `key` identifies the record itself: the same record delivered twice has the
 * same key.
 */
export const streamingRowSchema = z.object({
  key: z.string().min(1),
  table: z.enum(['info', 'evidence']),
  timestampMs: z.number().optional(),
  title: z.string().optional(),
  severity: z.string().optional(),
  category: z.string().optional(),
  serviceSource: z.string().optional(),
  detectionSource: z.string().optional(),
  techniques: z.array(z.string()).optional(),
  entityType: z.string().optional(),
  deviceId: z.string().optional(),
  deviceName: z.string().optional(),
  machineGroup: z.string().optional(),
  fileName: z.string().optional(),
  folderPath: z.string().optional(),
  sha1: z.string().optional(),
  sha256: z.string().optional(),
  fileSize: z.number().int().optional(),
  processId: z.number().int().optional(),
  parentProcessId: z.number().int().optional(),
  commandLine: z.string().optional(),
  processCreatedMs: z.number().optional(),
  /** What could not be read from this record. */
  problems: z.array(z.string()).optional(),
});
export type StreamingRow = z.infer<typeof streamingRowSchema>;

/** A longer command line is kept cut to this length (and the cut reported). */
export const MAX_COMMAND_LINE_CHARS = 8_192;
/** Any other text column is kept cut to this length. */
export const MAX_TEXT_CHARS = 2_048;

/** The validated columns a row is built from (see streamingRecords.ts). */
export interface RowColumns {
  Timestamp?: string | null;
  Title?: string | null;
  Severity?: string | null;
  Category?: string | null;
  Categories?: string | string[] | null;
  ServiceSource?: string | null;
  DetectionSource?: string | null;
  AttackTechniques?: string | string[] | null;
  EntityType?: string | null;
  FileName?: string | null;
  FolderPath?: string | null;
  SHA1?: string | null;
  SHA256?: string | null;
  FileSize?: number | null;
  DeviceId?: string | null;
  DeviceName?: string | null;
  MachineGroup?: string | null;
  ProcessCommandLine?: string | null;
  AdditionalFields?: unknown;
}

/** The row of one record; `record` is the record as it arrived (for its key). */
export function toStreamingRow(table: StreamingRow['table'], columns: RowColumns, record: unknown): StreamingRow {
  const problems: string[] = [];
  const cut = (value: string | null | undefined, name: string, max = MAX_TEXT_CHARS): string | undefined => {
    const kept = present(value);
    if (kept === undefined || kept.length <= max) return kept;
    problems.push(`${name} cut to ${max} of its ${kept.length} characters`);
    return kept.slice(0, max);
  };
  const extra = table === 'evidence' ? readAdditionalFields(columns.AdditionalFields) : { problems: [] };
  problems.push(...extra.problems);
  const techniques = techniqueIds(Array.isArray(columns.AttackTechniques) ? columns.AttackTechniques : [columns.AttackTechniques]);
  const row: StreamingRow = {
    key: recordKey(record),
    table,
    timestampMs: toMs(columns.Timestamp),
    title: cut(columns.Title, 'Title'),
    severity: cut(columns.Severity, 'Severity', 64),
    category: cut(present(columns.Category) ?? categoriesOf(columns.Categories)[0], 'Category'),
    serviceSource: cut(columns.ServiceSource, 'ServiceSource', 256),
    detectionSource: cut(columns.DetectionSource, 'DetectionSource', 256),
    techniques: techniques.length > 0 ? techniques : undefined,
    entityType: cut(columns.EntityType, 'EntityType', 64),
    deviceId: present(columns.DeviceId)?.toLowerCase() ?? extra.hostDeviceId,
    deviceName: cut(columns.DeviceName, 'DeviceName', 256),
    machineGroup: cut(columns.MachineGroup, 'MachineGroup', 256),
    fileName: cut(present(columns.FileName) ?? extra.imageFileName, 'FileName'),
    folderPath: cut(present(columns.FolderPath) ?? extra.imageFolderPath, 'FolderPath'),
    sha1: cut(columns.SHA1, 'SHA1', 64),
    sha256: cut(columns.SHA256, 'SHA256', 128),
    fileSize: present(columns.FileSize),
    processId: extra.processId,
    parentProcessId: extra.parentProcessId,
    commandLine: cut(present(columns.ProcessCommandLine) ?? extra.commandLine, 'CommandLine', MAX_COMMAND_LINE_CHARS),
    processCreatedMs: extra.processCreatedMs,
    problems: problems.length > 0 ? problems : undefined,
  };
  // Absent facts are left out, so stored rows stay small.
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as StreamingRow;
}

/** The same record, however often delivered, has the same key. */
export function recordKey(record: unknown): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 32);
}

/** `Categories` is a JSON array in a string (`"[\"Malware\"]"`); a plain string is one category. */
function categoriesOf(value: string | string[] | null | undefined): string[] {
  if (Array.isArray(value)) return value;
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [value];
  } catch {
    return [value];
  }
}
