import { z } from 'zod';
import { joinPath, osOf, present, toMs, toSeverity, type Alert, type AlertDevice, type AlertFile, type AlertProcess } from './alert.js';
import { alertIdField, deviceIdField, optionalInt, optionalText } from './fields.js';
import { canonicalDetectionSource, canonicalServiceSource, techniqueIds } from './sources.js';

/**
 * Microsoft Graph `alerts_v2` (microsoft.graph.security.alert), mde-api.md
 * 7.2. Each evidence item names its type in `@odata.type`; the responder
 * reads deviceEvidence (`mdeDeviceId`), processEvidence and fileEvidence
 * (`fileDetails`), and passes over the other types (users, IPs, mailboxes).
 */
export const GRAPH_ALERT_TYPE = '#microsoft.graph.security.alert';
const NS = '#microsoft.graph.security.';

const fileDetailsSchema = z
  .object({
    fileName: optionalText,
    /** The folder (documented); some payloads name it `parentFolder`. */
    filePath: optionalText,
    parentFolder: optionalText,
    fileSize: optionalInt,
    sha1: optionalText,
    sha256: optionalText,
  })
  .loose();

const evidenceBase = z
  .object({
    '@odata.type': z
      .string()
      .regex(/^#microsoft\.graph\.security\.[A-Za-z]+$/, 'an evidence type such as #microsoft.graph.security.deviceEvidence'),
  })
  .loose();

const deviceEvidenceSchema = evidenceBase.extend({
  mdeDeviceId: deviceIdField.nullish(),
  deviceDnsName: optionalText,
  osPlatform: optionalText,
  rbacGroupName: optionalText,
  tags: z.array(z.string()).nullish(),
});

const processEvidenceSchema = evidenceBase.extend({
  mdeDeviceId: deviceIdField.nullish(),
  processId: optionalInt,
  parentProcessId: optionalInt,
  processCommandLine: optionalText,
  imageFile: fileDetailsSchema.nullish(),
});

const fileEvidenceSchema = evidenceBase.extend({
  mdeDeviceId: deviceIdField.nullish(),
  fileDetails: fileDetailsSchema,
});

const EVIDENCE_SCHEMAS: Record<string, z.ZodType | undefined> = {
  [`${NS}deviceEvidence`]: deviceEvidenceSchema,
  [`${NS}processEvidence`]: processEvidenceSchema,
  [`${NS}fileEvidence`]: fileEvidenceSchema,
};

export const graphAlertSchema = z
  .object({
    '@odata.type': z.literal(GRAPH_ALERT_TYPE).optional(),
    id: alertIdField,
    title: z.string(),
    severity: z.string(),
    category: optionalText,
    serviceSource: optionalText,
    detectionSource: optionalText,
    createdDateTime: optionalText,
    lastUpdateDateTime: optionalText,
    mitreTechniques: z.array(z.string()).nullish(),
    evidence: z.array(evidenceBase).nullish(),
  })
  .loose()
  .superRefine((alert, ctx) => {
    // Each item is checked against its own type's schema, so an error names the item and the field.
    alert.evidence?.forEach((item, i) => {
      const schema = EVIDENCE_SCHEMAS[item['@odata.type']];
      const parsed = schema?.safeParse(item);
      for (const issue of parsed?.success === false ? parsed.error.issues : []) {
        ctx.addIssue({ code: 'custom', path: ['evidence', i, ...issue.path], message: issue.message });
      }
    });
  });
export type GraphAlert = z.infer<typeof graphAlertSchema>;

export function fromGraphAlert(a: GraphAlert): Alert {
  const devices = new Map<string, AlertDevice>();
  const processes: AlertProcess[] = [];
  const files: AlertFile[] = [];
  const addDevice = (id: string | null | undefined, extra: Omit<AlertDevice, 'id'> = {}): string | undefined => {
    if (!id) return undefined;
    const key = id.toLowerCase();
    devices.set(key, { ...devices.get(key), ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)), id: key });
    return key;
  };
  for (const item of a.evidence ?? []) {
    const type = item['@odata.type'];
    if (type === `${NS}deviceEvidence`) {
      const d = deviceEvidenceSchema.parse(item);
      addDevice(d.mdeDeviceId, {
        name: present(d.deviceDnsName),
        osPlatform: present(d.osPlatform),
        os: osOf(d.osPlatform),
        rbacGroupName: present(d.rbacGroupName),
        tags: d.tags ?? undefined,
      });
    } else if (type === `${NS}processEvidence`) {
      const p = processEvidenceSchema.parse(item);
      processes.push({
        deviceId: addDevice(p.mdeDeviceId),
        processId: present(p.processId),
        parentProcessId: present(p.parentProcessId),
        fileName: present(p.imageFile?.fileName),
        folderPath: present(p.imageFile?.filePath) ?? present(p.imageFile?.parentFolder),
        commandLine: present(p.processCommandLine),
        sha256: present(p.imageFile?.sha256),
        sha1: present(p.imageFile?.sha1),
      });
    } else if (type === `${NS}fileEvidence`) {
      const f = fileEvidenceSchema.parse(item);
      const details = f.fileDetails;
      files.push({
        deviceId: addDevice(f.mdeDeviceId),
        fileName: present(details.fileName),
        folderPath: present(details.filePath) ?? present(details.parentFolder),
        path: joinPath(present(details.filePath) ?? present(details.parentFolder), present(details.fileName)),
        sha256: present(details.sha256),
        sha1: present(details.sha1),
        sizeBytes: present(details.fileSize),
      });
    }
  }
  return {
    id: a.id,
    source: 'graph-v2',
    title: a.title,
    category: present(a.category),
    severity: toSeverity(a.severity),
    serviceSource: canonicalServiceSource(present(a.serviceSource)),
    rawServiceSource: present(a.serviceSource),
    detectionSource: canonicalDetectionSource(present(a.detectionSource)),
    rawDetectionSource: present(a.detectionSource),
    createdMs: toMs(a.createdDateTime),
    lastUpdatedMs: toMs(a.lastUpdateDateTime),
    mitreTechniques: techniqueIds(a.mitreTechniques ?? []),
    devices: [...devices.values()],
    processes,
    files,
  };
}
