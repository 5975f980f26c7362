import type { Alert, AlertFile, AlertProcess } from '../alerts/alert.js';
import { joinPath } from '../alerts/alert.js';
import type { ArgumentKind } from './argumentKinds.js';

/**
 * Where an argument's value may come from, by name, and the kinds each may
 * be declared as. `alert.process.*` reads the alert's first process evidence
 * bound to the device being rendered, `alert.file.*` its first file evidence;
 * `run.token` is our own run id.
 */
export const ARGUMENT_SOURCES = {
  'run.token': { kinds: ['token'] },
  'alert.device.id': { kinds: ['deviceId'] },
  'alert.process.processId': { kinds: ['pid'], evidence: 'process' },
  'alert.process.parentProcessId': { kinds: ['pid'], evidence: 'process' },
  'alert.process.fileName': { kinds: ['fileName'], evidence: 'process' },
  'alert.process.path': { kinds: ['filePath'], evidence: 'process' },
  'alert.process.sha256': { kinds: ['sha256'], evidence: 'process' },
  'alert.process.sha1': { kinds: ['sha1'], evidence: 'process' },
  'alert.file.fileName': { kinds: ['fileName'], evidence: 'file' },
  'alert.file.path': { kinds: ['filePath'], evidence: 'file' },
  'alert.file.sha256': { kinds: ['sha256'], evidence: 'file' },
  'alert.file.sha1': { kinds: ['sha1'], evidence: 'file' },
} as const satisfies Record<string, { kinds: readonly ArgumentKind[]; evidence?: 'process' | 'file' }>;

export type ArgumentSource = keyof typeof ARGUMENT_SOURCES;
export const ARGUMENT_SOURCE_NAMES = Object.keys(ARGUMENT_SOURCES) as [ArgumentSource, ...ArgumentSource[]];

export interface SourceContext {
  deviceId: string;
  runToken: string;
  alert?: Alert;
}

/** The value of a source for one device, or why the alert cannot give one. */
export type Resolved = { value: unknown } | { unbound: string };

/**
 * Evidence seen on the device being rendered. Evidence that names no device
 * (an alert of several devices that did not say which one) is never taken:
 * the reason says so instead.
 */
export function evidenceOnDevice<T extends { deviceId?: string }>(
  items: readonly T[],
  deviceId: string,
  alert: Alert,
  kind: 'process' | 'file',
): T | { unbound: string } | undefined {
  const bound = items.find((item) => item.deviceId === deviceId);
  if (bound) return bound;
  return items.some((item) => item.deviceId === undefined) ? { unbound: unboundReason(alert, kind) } : undefined;
}

export function unboundReason(alert: Alert, kind: 'process' | 'file'): string {
  return `the alert's ${kind} evidence names no device, and the alert names ${alert.devices.length} device(s): it is not bound to this one`;
}

/** The raw (unvalidated) value of a source for one device; `value` undefined when the alert does not carry it. */
export function resolveSource(source: ArgumentSource, context: SourceContext): Resolved {
  if (source === 'run.token') return { value: context.runToken };
  const alert = context.alert;
  if (!alert) return { value: undefined };
  if (source === 'alert.device.id') return { value: alert.devices.some((d) => d.id === context.deviceId) ? context.deviceId : undefined };
  const [, entity, field] = source.split('.') as [string, 'process' | 'file', string];
  const found =
    entity === 'process'
      ? evidenceOnDevice(alert.processes, context.deviceId, alert, 'process')
      : evidenceOnDevice(alert.files, context.deviceId, alert, 'file');
  if (found && 'unbound' in found) return found;
  return {
    value: entity === 'process' ? processField(found, field) : fileField(found, field),
  };
}

function processField(p: AlertProcess | undefined, field: string): unknown {
  if (!p) return undefined;
  if (field === 'path') return joinPath(p.folderPath, p.fileName);
  return (p as Record<string, unknown>)[field];
}

function fileField(f: AlertFile | undefined, field: string): unknown {
  if (!f) return undefined;
  return (f as Record<string, unknown>)[field];
}
