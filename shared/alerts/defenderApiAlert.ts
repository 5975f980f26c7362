import { z } from 'zod';
import { toSeverity, type Alert } from './alert.js';

/**
 * The Defender API alert (GET /api/alerts?$expand=evidence), mde-api.md 7.1.
 * Only the fields the responder uses are required; the rest pass through.
 */
const evidenceSchema = z
  .object({
    entityType: z.string(),
    sha256: z.string().nullish(),
    fileName: z.string().nullish(),
    filePath: z.string().nullish(),
    processId: z.number().int().nullish(),
    processCommandLine: z.string().nullish(),
  })
  .loose();

export const defenderApiAlertSchema = z
  .object({
    id: z.string().min(1),
    title: z.string(),
    severity: z.string(),
    category: z.string().nullish(),
    detectionSource: z.string().nullish(),
    alertCreationTime: z.string().nullish(),
    machineId: z.string().regex(/^[0-9a-f]{40}$/i, 'a 40-hex-digit Defender device id'),
    computerDnsName: z.string().nullish(),
    mitreTechniques: z.array(z.string()).nullish(),
    evidence: z.array(evidenceSchema).default([]),
  })
  .loose();
export type DefenderApiAlert = z.infer<typeof defenderApiAlertSchema>;

export function fromDefenderApiAlert(a: DefenderApiAlert): Alert {
  const created = a.alertCreationTime ? Date.parse(a.alertCreationTime) : NaN;
  const deviceId = a.machineId.toLowerCase();
  return {
    id: a.id,
    source: 'defender-api',
    title: a.title,
    category: a.category ?? undefined,
    severity: toSeverity(a.severity),
    detectionSource: a.detectionSource ?? undefined,
    createdMs: Number.isFinite(created) ? created : undefined,
    mitreTechniques: a.mitreTechniques ?? [],
    devices: [{ id: deviceId, name: a.computerDnsName ?? undefined }],
    processes: a.evidence
      .filter((e) => e.entityType.toLowerCase() === 'process')
      .map((e) => ({
        deviceId,
        processId: e.processId ?? undefined,
        fileName: e.fileName ?? undefined,
        filePath: e.filePath ?? undefined,
        commandLine: e.processCommandLine ?? undefined,
        sha256: e.sha256 ?? undefined,
      })),
    files: a.evidence
      .filter((e) => e.entityType.toLowerCase() === 'file')
      .map((e) => ({ deviceId, fileName: e.fileName ?? undefined, filePath: e.filePath ?? undefined, sha256: e.sha256 ?? undefined })),
  };
}
