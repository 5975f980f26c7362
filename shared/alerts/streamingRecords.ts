import { z } from 'zod';
import { fail, ok, type Issue, type Result } from '../result.js';
import type { Alert } from './alert.js';
import { alertIdField, deviceIdField, optionalInt, optionalText } from './fields.js';
import { alertFromRows } from './streamedAlert.js';
import { toStreamingRow, type StreamingRow } from './streamingRow.js';
import { toIssues } from '../validation.js';
import { isObject } from './json.js';

/**
 * Defender streaming API records (Event Hubs / Storage), mde-api.md 7.3:
 * `{"records": [{time, tenantId, category: "AdvancedHunting-AlertInfo" |
 * "AdvancedHunting-AlertEvidence", properties: {...}}]}`, or the records
 * alone (one record object, or an array of records or of envelopes: many
 * consumers split the envelope off). One AlertInfo row per alert, one
 * AlertEvidence row per evidence entity, all sharing AlertId; one message
 * may carry several alerts, and one alert's rows may be spread over several
 * messages (see services/intake/streamedAlerts.ts). Records of other tables
 * are passed over (and counted).
 */
export const streamingMessageSchema = z
  .object({
    records: z
      .array(z.object({ category: z.string(), properties: z.record(z.string(), z.unknown()) }).loose())
      .min(1, 'at least one record'),
  })
  .loose();
export type StreamingMessage = z.infer<typeof streamingMessageSchema>;

const techniques = z.union([z.string(), z.array(z.string())]).nullish();
const common = {
  AlertId: alertIdField,
  Timestamp: optionalText,
  Title: optionalText,
  Severity: optionalText,
  ServiceSource: optionalText,
  DetectionSource: optionalText,
  AttackTechniques: techniques,
  MachineGroup: optionalText,
};
const alertInfoSchema = z.object({ ...common, Category: optionalText }).loose();
const alertEvidenceSchema = z
  .object({
    ...common,
    Categories: z.union([z.string(), z.array(z.string())]).nullish(),
    EntityType: optionalText,
    FileName: optionalText,
    FolderPath: optionalText,
    SHA1: optionalText,
    SHA256: optionalText,
    FileSize: optionalInt,
    DeviceId: z.union([deviceIdField, z.literal('')]).nullish(),
    DeviceName: optionalText,
    ProcessCommandLine: optionalText,
    // A JSON object in a string, read defensively (additionalFields.ts): an unreadable one is a problem, not an error.
    AdditionalFields: z.unknown().optional(),
  })
  .loose();

const TABLES = {
  'advancedhunting-alertinfo': { table: 'info', schema: alertInfoSchema },
  'advancedhunting-alertevidence': { table: 'evidence', schema: alertEvidenceSchema },
} as const;

/**
 * The records of a streaming body in any of its forms (the envelope, one
 * bare record, an array of records or of envelopes), or undefined when the
 * body is none of them. An envelope's `records` is returned as it is, to be
 * validated by streamingMessageSchema.
 */
export function streamingRecordsOf(value: unknown): unknown {
  if (isStreamingRecord(value)) return [value];
  if (isObject(value) && 'records' in value) return value.records;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (value.every(isStreamingRecord)) return value;
  if (value.every((v) => isObject(v) && Array.isArray(v.records))) return value.flatMap((v) => (v as { records: unknown[] }).records);
  return undefined;
}

/** A streaming record: an object with an `AdvancedHunting-<Table>` category and its properties. */
function isStreamingRecord(value: unknown): boolean {
  return isObject(value) && typeof value.category === 'string' && /^advancedhunting-/i.test(value.category) && 'properties' in value;
}

/** The valid rows of one alert in a message. */
export interface AlertRows {
  alertId: string;
  rows: StreamingRow[];
}

/** One alert's part of a streaming message: its rows, its own records, and the issues of any record that failed its schema. */
export interface StreamedGroup {
  alertId?: string;
  rows: StreamingRow[];
  records: unknown[];
  issues: Issue[];
}

/** Groups a validated streaming message by AlertId; `ignored` counts records of other tables. */
export function groupStreamingRecords(message: StreamingMessage): { groups: StreamedGroup[]; ignored: number } {
  const groups = new Map<string, StreamedGroup>();
  const orphans: StreamedGroup[] = [];
  let ignored = 0;
  message.records.forEach((record, i) => {
    const kind = TABLES[record.category.toLowerCase() as keyof typeof TABLES] as (typeof TABLES)[keyof typeof TABLES] | undefined;
    if (!kind) {
      ignored += 1;
      return;
    }
    const rawId = record.properties.AlertId;
    const parsed = kind.schema.safeParse(record.properties);
    const issues = parsed.success ? [] : toIssues(parsed.error, { at: ['records', i, 'properties'] });
    if (typeof rawId !== 'string' || rawId === '') {
      orphans.push({ rows: [], records: [record], issues });
      return;
    }
    const group = groups.get(rawId) ?? { alertId: rawId, rows: [], records: [], issues: [] };
    groups.set(rawId, group);
    group.records.push(record);
    group.issues.push(...issues);
    if (parsed.success) group.rows.push(toStreamingRow(kind.table, parsed.data, record));
  });
  return { groups: [...groups.values(), ...orphans], ignored };
}

/** One alert out of a streaming message: normalised, or refused with its issues; `records` are its own records. */
export interface StreamedAlert {
  alertId?: string;
  result: Result<Alert>;
  records: unknown[];
}

/** Every alert of a message as if all its rows had arrived (the dry run; the intake assembles across messages instead). */
export function fromStreamingMessage(message: StreamingMessage): { alerts: StreamedAlert[]; groups: StreamedGroup[]; ignored: number } {
  const { groups, ignored } = groupStreamingRecords(message);
  const alerts = groups.map((g) => ({
    alertId: g.alertId,
    records: g.records,
    result: g.issues.length > 0 || g.alertId === undefined ? fail(g.issues) : ok(alertFromRows(g.alertId, g.rows)),
  }));
  return { alerts, groups, ignored };
}
