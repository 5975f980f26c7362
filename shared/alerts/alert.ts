/**
 * The one Alert the pipeline works with, whatever shape it arrived in
 * (Defender API alert, Graph alerts_v2, streaming API records; see
 * docs/alerts.md). Every string here may have been written by an attacker
 * (process names, paths, command lines): it is data, and reaches a command
 * only through the playbook renderer's typed validators.
 */
export interface Alert {
  id: string;
  source: AlertShape;
  title: string;
  category?: string;
  severity: Severity;
  /** Canonical names (Graph alerts_v2 vocabulary, e.g. `microsoftDefenderForEndpoint`); see sources.ts. */
  serviceSource?: string;
  detectionSource?: string;
  /** The values exactly as the alert gave them (`WindowsDefenderAtp`, `EDR`, ...). */
  rawServiceSource?: string;
  rawDetectionSource?: string;
  createdMs?: number;
  /** When the alert was last updated (lastUpdateTime, lastUpdateDateTime, or the newest record Timestamp). */
  lastUpdatedMs?: number;
  /** MITRE ATT&CK technique ids (`T1003`, `T1003.001`), upper-case, unique. */
  mitreTechniques: string[];
  devices: AlertDevice[];
  processes: AlertProcess[];
  files: AlertFile[];
  /** What the normaliser could not use, in words (an unreadable AdditionalFields, rows past a cap); never attacker text. */
  problems?: string[];
}

export const ALERT_SHAPES = ['defender-api', 'graph-v2', 'streaming'] as const;
export type AlertShape = (typeof ALERT_SHAPES)[number];

export const SEVERITIES = ['Unknown', 'Informational', 'Low', 'Medium', 'High'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertDevice {
  /** 40 lower-case hex digits (validated by every normaliser). */
  id: string;
  name?: string;
  /** As the alert reports it, when it does (Graph deviceEvidence); Defender's machine record is authoritative. */
  osPlatform?: string;
  /** The OS family, where the alert says it (from `osPlatform`); absent: unknown. */
  os?: DeviceOs;
  tags?: string[];
  rbacGroupName?: string;
}

/**
 * Process and file evidence carry the device they were seen on. An entry
 * without one is bound to the alert's device when the alert names exactly
 * one ({@link bindEvidence}); with several devices it stays unbound
 * (`deviceId` absent) and no playbook takes values from it.
 */
export interface AlertProcess {
  deviceId?: string;
  processId?: number;
  parentProcessId?: number;
  /** The image file name, e.g. `powershell.exe`. */
  fileName?: string;
  /** The folder holding the image. */
  folderPath?: string;
  commandLine?: string;
  sha256?: string;
  sha1?: string;
}

export interface AlertFile {
  deviceId?: string;
  fileName?: string;
  folderPath?: string;
  /** The full path (folder + name), when both are known. */
  path?: string;
  sha256?: string;
  sha1?: string;
  sizeBytes?: number;
}

/** Operating-system families: each has its own path rules and its own kind of library script. */
export const DEVICE_OS = ['windows', 'linux', 'macos'] as const;
export type DeviceOs = (typeof DEVICE_OS)[number];

const LINUX_PLATFORMS = /^(linux|ubuntu|debian|centos|redhat|rhel|oracle|suse|sles|opensuse|fedora|amazon|alma|rocky|mariner)/i;

/**
 * The OS family of an `osPlatform` value (Defender's `Windows11`,
 * `WindowsServer2022`, `Linux`, `Ubuntu`, `CentOS`, `macOS`, ...), or
 * undefined when it names none.
 */
export function osOf(osPlatform: string | null | undefined): DeviceOs | undefined {
  const value = (osPlatform ?? '').trim();
  if (/^windows/i.test(value)) return 'windows';
  if (/^(macos|mac ?os|osx|os x|darwin)/i.test(value)) return 'macos';
  if (LINUX_PLATFORMS.test(value)) return 'linux';
  return undefined;
}

/** An alert whose unbound evidence is bound to its device when it names exactly one. */
export function bindEvidence(alert: Alert): Alert {
  const [only, ...others] = alert.devices;
  if (!only || others.length > 0) return alert;
  const bind = <T extends { deviceId?: string }>(items: T[]): T[] =>
    items.map((item) => (item.deviceId === undefined ? { ...item, deviceId: only.id } : item));
  return { ...alert, processes: bind(alert.processes), files: bind(alert.files) };
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Accepts the API's casings (`High`, `high`, `UnSpecified`). */
export function toSeverity(value: string | null | undefined): Severity {
  const match = SEVERITIES.find((s) => s.toLowerCase() === (value ?? '').toLowerCase());
  return match ?? 'Unknown';
}

/** Epoch ms of an ISO time (7 fractional digits accepted), or undefined. */
export function toMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Folder + name as one path, with the separator of the device's OS (`\` on
 * Windows, `/` on Linux and macOS); when the OS is unknown, the folder's own
 * form decides (`/usr/bin` is POSIX, `C:\Temp` Windows). A folder that
 * already ends with the name (the streaming API's FolderPath often does) is
 * the path. Nothing is cleaned up: the argument validators judge the result.
 */
export function joinPath(folder: string | undefined, name: string | undefined, os?: DeviceOs): string | undefined {
  if (typeof folder !== 'string' || typeof name !== 'string' || !folder || !name) return undefined;
  if (folder.toLowerCase().endsWith(`\\${name.toLowerCase()}`) || folder.toLowerCase().endsWith(`/${name.toLowerCase()}`)) return folder;
  const separator = (os ?? pathStyleOf(folder)) === 'windows' ? '\\' : '/';
  return `${folder.replace(/[\\/]+$/, '')}${separator}${name}`;
}

/** Which OS a path is written for, by its own form: POSIX when it starts with `/`, else Windows. */
export function pathStyleOf(path: string): 'windows' | 'linux' {
  return path.startsWith('/') ? 'linux' : 'windows';
}

/** `undefined` for null, undefined and the empty string (the streaming API sends `""` for absent values). */
export function present<T>(value: T | null | undefined | ''): T | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}
