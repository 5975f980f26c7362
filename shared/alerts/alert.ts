/**
 * The one Alert the pipeline works with, whatever shape it arrived in.
 * Every string here may have been written by an attacker (process names,
 * paths, command lines): it is data, and reaches a command only through the
 * playbook renderer's typed validators.
 */
export interface Alert {
  id: string;
  source: 'defender-api' | 'graph-v2' | 'streaming';
  title: string;
  category?: string;
  severity: Severity;
  detectionSource?: string;
  createdMs?: number;
  mitreTechniques: string[];
  devices: AlertDevice[];
  processes: AlertProcess[];
  files: AlertFile[];
}

export const SEVERITIES = ['Unknown', 'Informational', 'Low', 'Medium', 'High'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertDevice {
  id: string;
  name?: string;
}

export interface AlertProcess {
  deviceId?: string;
  processId?: number;
  fileName?: string;
  filePath?: string;
  commandLine?: string;
  sha256?: string;
}

export interface AlertFile {
  deviceId?: string;
  fileName?: string;
  filePath?: string;
  sha256?: string;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Accepts the API's casings (`High`, `high`, `UnSpecified`). */
export function toSeverity(value: string | null | undefined): Severity {
  const match = SEVERITIES.find((s) => s.toLowerCase() === (value ?? '').toLowerCase());
  return match ?? 'Unknown';
}
