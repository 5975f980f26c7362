import type { ListRunsQuery, RunPage } from './listing.js';
import type { DeviceAction, EvidenceItem, Run, RunView, Versioned } from './model.js';

/**
 * Where runs live (Azure Table Storage; Azurite locally). Every write that
 * can race is conditional: create-if-absent or replace-if-etag-matches.
 * Adapters: TableRunStore (Azure), the in-memory fake in test/helpers; both
 * pass test/contracts/runStore.contract.ts.
 */
export interface RunStore {
  /** Creates the run and its device actions; 'exists' when the run id is already taken. */
  createRun(run: Run, actions: DeviceAction[]): Promise<'created' | 'exists'>;
  getRun(runId: string): Promise<RunView | undefined>;
  /**
   * A page of runs, newest first (by the millisecond of `createdMs`; runs
   * created in the same millisecond in a fixed order). The query is checked
   * with listRunsQuerySchema (ValidationError), and so is the continuation
   * token: it must be one this store issued.
   */
  listRuns(query: ListRunsQuery): Promise<RunPage>;
  getAction(runId: string, deviceId: string): Promise<Versioned<DeviceAction> | undefined>;
  /** Replaces the action if its etag still matches; 'conflict' otherwise. */
  replaceAction(action: DeviceAction, etag: string): Promise<'ok' | 'conflict'>;
  /** Records an evidence item once; 'exists' if that (run, device, action, index) is recorded. */
  putEvidence(item: EvidenceItem): Promise<'created' | 'exists'>;
}
