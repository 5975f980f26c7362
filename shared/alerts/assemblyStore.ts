import type { Versioned } from '../runs/model.js';
import type { AlertAssembly } from './assembly.js';

/**
 * Where streamed alerts are assembled: one record per AlertId, written only
 * if the stored one is still the one read (ETag), so two workers adding rows
 * of one alert at once never lose each other's rows.
 * Adapters: TableAlertAssemblyStore (Azure); the in-memory fake in
 * test/helpers. Both pass test/contracts/assemblyStore.contract.ts.
 */
export interface AlertAssemblyStore {
  /** The assembly of `alertId`; undefined when none is stored. A stored one that fails the schema is refused (PermanentError). */
  load(alertId: string): Promise<Versioned<AlertAssembly> | undefined>;
  /**
   * Writes the assembly if the stored one still carries `etag` (undefined:
   * only if none exists yet); 'conflict' otherwise. Quoting an etag for an
   * alert with no assembly is a NotFoundError; an assembly over
   * MAX_ASSEMBLY_CHARS of JSON a PermanentError.
   */
  save(assembly: AlertAssembly, etag: string | undefined): Promise<'ok' | 'conflict'>;
}
