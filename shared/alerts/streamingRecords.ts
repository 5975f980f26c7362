import { z } from 'zod';
import { fail, ok, type Issue, type Result } from '../result.js';
import { joinPath, present, toMs, toSeverity, type Alert, type AlertDevice } from './alert.js';
import { alertIdField, deviceIdField, optionalInt, optionalText } from './fields.js';
import { canonicalDetectionSource, canonicalServiceSource, techniqueIds } from './sources.js';
import { toIssues } from '../validation.js';

/**
 * Defender streaming API records (Event Hubs / Storage), mde-api.md 7.3:
 * `{"records": [{time, tenantId, category: "AdvancedHunting-AlertInfo" |
 * "AdvancedHunting-AlertEvidence", properties: {...}}]}`. One AlertInfo row
 * per alert, one AlertEvidence row per evidence entity, grouped by AlertId;
 * one message may carry several alerts. AlertEvidence has no ProcessId
 * column, so a streamed alert never carries a process id. Records of other
 * tables are passed over (and counted).
 */
export const streamingMessageSchema = z
  .object({
    records: z
      .array(z.object({ category: z.string(), properties: z.record(z.string(), z.unknown()) }).loose())
      .min(1, 'at least one record'),
  })
  .loose();

const techniques = z.union([z.string(), z.array(z.string())]).nullish();
const common = {
  AlertId: alertIdField,
  Timestamp: optionalText,
  Title: optionalText,
  Severity: optionalText,
  ServiceSource: optionalText,
  DetectionSource: optionalText,
  AttackTechniques: techniques,
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
    MachineGroup: optionalText,
    ProcessCommandLine: optionalText,
  })
  .loose();
type InfoRow = z.infer<typeof alertInfoSchema>;
type EvidenceRow = z.infer<typeof alertEvidenceSchema>;

const TABLES = { 'advancedhunting-alertinfo': alertInfoSchema, 'advancedhunting-alertevidence': alertEvidenceSchema } as const;

/** One alert out of a streaming message: normalised, or refused with its issues; `records` are its own records. */
export interface StreamedAlert {
  alertId?: string;
  result: Result<Alert>;
  records: unknown[];
}

interface Group {
  info?: InfoRow;
  evidence: EvidenceRow[];
  records: unknown[];
  issues: Issue[];
}

/** Groups a validated streaming message by AlertId; `ignored` counts records of other tables. */
export function fromStreamingMessage(message: z.infer<typeof streamingMessageSchema>): { alerts: StreamedAlert[]; ignored: number } {
  const groups = new Map<string, Group>();
  const orphans: StreamedAlert[] = [];
  let ignored = 0;
  message.records.forEach((record, i) => {
    const schema = TABLES[record.category.toLowerCase() as keyof typeof TABLES] as (typeof TABLES)[keyof typeof TABLES] | undefined;
    if (!schema) {
      ignored += 1;
      return;
    }
    const rawId = record.properties.AlertId;
    const parsed = schema.safeParse(record.properties);
    const issues = parsed.success ? [] : toIssues(parsed.error, { at: ['records', i, 'properties'] });
    if (typeof rawId !== 'string' || rawId === '') {
      orphans.push({ result: fail(issues), records: [record] });
      return;
    }
    const group = groups.get(rawId) ?? { evidence: [], records: [], issues: [] };
    groups.set(rawId, group);
    group.records.push(record);
    group.issues.push(...issues);
    if (!parsed.success) return;
    if (schema === alertInfoSchema) group.info = parsed.data;
    else group.evidence.push(parsed.data);
  });
  const alerts = [...groups.entries()].map(([alertId, group]) => ({
    alertId,
    records: group.records,
    result: group.issues.length > 0 ? fail(group.issues) : toAlert(alertId, group),
  }));
  return { alerts: [...alerts, ...orphans], ignored };
}

function toAlert(alertId: string, group: Group): Result<Alert> {
  const rows: (InfoRow | EvidenceRow)[] = [...(group.info ? [group.info] : []), ...group.evidence];
  const first = <K extends 'Title' | 'Severity' | 'ServiceSource' | 'DetectionSource'>(key: K): string | undefined =>
    rows.map((r) => r[key]).find((v): v is NonNullable<typeof v> & string => typeof v === 'string' && v !== '');
  const title = first('Title');
  if (title === undefined)
    return fail([{ path: 'records', message: `alert ${alertId}: no AlertInfo or AlertEvidence record gives its Title` }]);
  const times = rows.map((r) => toMs(r.Timestamp)).filter((t): t is number => t !== undefined);
  const devices = new Map<string, AlertDevice>();
  for (const row of group.evidence) {
    const id = present(row.DeviceId)?.toLowerCase();
    if (!id) continue;
    const known = devices.get(id);
    devices.set(id, { id, name: known?.name ?? present(row.DeviceName), rbacGroupName: known?.rbacGroupName ?? present(row.MachineGroup) });
  }
  const ofType = (type: string) => group.evidence.filter((e) => (e.EntityType ?? '').toLowerCase() === type);
  const serviceSource = first('ServiceSource');
  const detectionSource = first('DetectionSource');
  return ok({
    id: alertId,
    source: 'streaming',
    title,
    category: present(group.info?.Category) ?? group.evidence.map((e) => categoriesOf(e.Categories)[0]).find((c) => c !== undefined),
    severity: toSeverity(first('Severity')),
    serviceSource: canonicalServiceSource(serviceSource),
    rawServiceSource: serviceSource,
    detectionSource: canonicalDetectionSource(detectionSource),
    rawDetectionSource: detectionSource,
    createdMs: times.length > 0 ? Math.min(...times) : undefined,
    lastUpdatedMs: times.length > 0 ? Math.max(...times) : undefined,
    mitreTechniques: techniqueIds(rows.flatMap((r) => (Array.isArray(r.AttackTechniques) ? r.AttackTechniques : [r.AttackTechniques]))),
    devices: [...devices.values()],
    processes: ofType('process').map((e) => ({
      deviceId: present(e.DeviceId)?.toLowerCase(),
      fileName: present(e.FileName),
      folderPath: present(e.FolderPath),
      commandLine: present(e.ProcessCommandLine),
      sha256: present(e.SHA256),
      sha1: present(e.SHA1),
    })),
    files: ofType('file').map((e) => ({
      deviceId: present(e.DeviceId)?.toLowerCase(),
      fileName: present(e.FileName),
      folderPath: present(e.FolderPath),
      path: joinPath(present(e.FolderPath), present(e.FileName)),
      sha256: present(e.SHA256),
      sha1: present(e.SHA1),
      sizeBytes: present(e.FileSize),
    })),
  });
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
