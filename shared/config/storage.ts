import { z } from 'zod';
import type { SettingProblem } from '../errors.js';
import { tableName, type SettingsOf } from './values.js';

/** Where everything is stored: the account (a connection string, or endpoints reached with the managed identity), the evidence container and every table. */
export const storageSettings = {
  STORAGE_CONNECTION_STRING: z.string().optional(),
  STORAGE_BLOB_URI: z.url().optional(),
  STORAGE_TABLE_URI: z.url().optional(),
  STORAGE_QUEUE_URI: z.url().optional(),
  EVIDENCE_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'a valid blob container name')
    .default('evidence'),
  RUNS_TABLE: tableName('runs'),
  /** Where the tenant-wide pacing state lives. */
  PACING_TABLE: tableName('pacing'),
  /** Where the append-only audit log lives. */
  AUDIT_TABLE: tableName('audit'),
  /** Where the alert poller's watermark (and the reconciliation sweep's cursor) lives. */
  WATERMARK_TABLE: tableName('watermarks'),
  /** Where streamed alerts are assembled. */
  ALERT_ASSEMBLY_TABLE: tableName('alertassembly'),
  /** Where the cached device directory lives. */
  DEVICE_DIRECTORY_TABLE: tableName('devices'),
};

interface StorageNames {
  evidenceContainer: string;
  runsTable: string;
  pacingTable: string;
  watermarkTable: string;
  auditTable: string;
  deviceDirectoryTable: string;
  assemblyTable: string;
}

export type StorageConfig =
  | ({ kind: 'connectionString'; connectionString: string } & StorageNames)
  | ({ kind: 'identity'; blobUri: string; tableUri: string; queueUri?: string } & StorageNames);

export function storageConfig(s: SettingsOf<typeof storageSettings>): StorageConfig {
  const names: StorageNames = {
    evidenceContainer: s.EVIDENCE_CONTAINER,
    runsTable: s.RUNS_TABLE,
    pacingTable: s.PACING_TABLE,
    watermarkTable: s.WATERMARK_TABLE,
    auditTable: s.AUDIT_TABLE,
    deviceDirectoryTable: s.DEVICE_DIRECTORY_TABLE,
    assemblyTable: s.ALERT_ASSEMBLY_TABLE,
  };
  if (s.STORAGE_CONNECTION_STRING) return { kind: 'connectionString', connectionString: s.STORAGE_CONNECTION_STRING, ...names };
  // storageRequired made sure both URIs are set.
  return {
    kind: 'identity',
    blobUri: s.STORAGE_BLOB_URI ?? '',
    tableUri: s.STORAGE_TABLE_URI ?? '',
    queueUri: s.STORAGE_QUEUE_URI,
    ...names,
  };
}

/** The account must be given one way or the other (checked on the raw environment, whatever else is wrong). */
export function storageRequired(present: Record<string, string | undefined>): SettingProblem[] {
  if (present.STORAGE_CONNECTION_STRING || (present.STORAGE_BLOB_URI && present.STORAGE_TABLE_URI)) return [];
  return [
    { setting: 'STORAGE_CONNECTION_STRING', message: 'required (or STORAGE_BLOB_URI and STORAGE_TABLE_URI with a managed identity)' },
  ];
}
