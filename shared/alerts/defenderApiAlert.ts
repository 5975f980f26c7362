import { z } from 'zod';
import { joinPath, osOf, present, toMs, toSeverity, type Alert } from './alert.js';
import { alertIdField, deviceIdField, optionalInt, optionalText } from './fields.js';
import { canonicalDetectionSource, techniqueIds } from './sources.js';

/**
 * The Defender API alert (GET /api/alerts?$expand=evidence), mde-api.md 7.1.
 * Evidence entries are flat, with nulls for what does not apply; `filePath`
 * is the folder. Only the fields the responder uses are checked; the rest
 * pass through.
 */
const evidenceSchema = z
  .object({
    entityType: z.string(),
    sha1: optionalText,
    sha256: optionalText,
    fileName: optionalText,
    filePath: optionalText,
    processId: optionalInt,
    parentProcessId: optionalInt,
    processCommandLine: optionalText,
  })
  .loose();

export const defenderApiAlertSchema = z
  .object({
    id: alertIdField,
    title: z.string(),
    severity: z.string(),
    category: optionalText,
    detectionSource: optionalText,
    alertCreationTime: optionalText,
    lastUpdateTime: optionalText,
    machineId: deviceIdField,
    computerDnsName: optionalText,
    rbacGroupName: optionalText,
    /** The alert's device record (GET /api/alerts/{id}/machine), when the glue that sent the alert attached it: its OS. */
    machine: z.object({ osPlatform: optionalText }).loose().nullish(),
    mitreTechniques: z.array(z.string()).nullish(),
    evidence: z.array(evidenceSchema).nullish(),
  })
  .loose();
export type DefenderApiAlert = z.infer<typeof defenderApiAlertSchema>;

export function fromDefenderApiAlert(a: DefenderApiAlert): Alert {
  const deviceId = a.machineId.toLowerCase();
  const osPlatform = present(a.machine?.osPlatform);
  const evidence = a.evidence ?? [];
  const ofType = (type: string) => evidence.filter((e) => e.entityType.toLowerCase() === type);
  return {
    id: a.id,
    source: 'defender-api',
    title: a.title,
    category: present(a.category),
    severity: toSeverity(a.severity),
    // Every alert of this API comes from Defender for Endpoint.
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: canonicalDetectionSource(present(a.detectionSource)),
    rawDetectionSource: present(a.detectionSource),
    createdMs: toMs(a.alertCreationTime),
    lastUpdatedMs: toMs(a.lastUpdateTime),
    mitreTechniques: techniqueIds(a.mitreTechniques ?? []),
    devices: [
      { id: deviceId, name: present(a.computerDnsName), rbacGroupName: present(a.rbacGroupName), osPlatform, os: osOf(osPlatform) },
    ],
    processes: ofType('process').map((e) => ({
      deviceId,
      processId: present(e.processId),
      parentProcessId: present(e.parentProcessId),
      fileName: present(e.fileName),
      folderPath: present(e.filePath),
      commandLine: present(e.processCommandLine),
      sha256: present(e.sha256),
      sha1: present(e.sha1),
    })),
    files: ofType('file').map((e) => ({
      deviceId,
      fileName: present(e.fileName),
      folderPath: present(e.filePath),
      path: joinPath(present(e.filePath), present(e.fileName), osOf(osPlatform)),
      sha256: present(e.sha256),
      sha1: present(e.sha1),
    })),
  };
}
