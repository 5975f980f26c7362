import { odata, type TableClient } from '@azure/data-tables';
import {
  deviceActionSchema,
  evidenceItemSchema,
  runSchema,
  type DeviceAction,
  type EvidenceItem,
  type Run,
  type RunView,
  type Versioned,
} from '../runs/model.js';
import { checkActionsOfRun, runView } from '../runs/records.js';
import { checkListRunsQuery, MAX_RUNS_PAGE, type ListRunsQuery, type RunPage } from '../runs/listing.js';
import type { RunStore } from '../runs/store.js';
import { RUN_INDEX_PARTITION, runIndexRange, runPage, type IndexedRun } from './runIndex.js';
import {
  ACTION_PREFIX,
  actionEntity,
  actionRowKey,
  batches,
  entity,
  evidenceRowKey,
  EVIDENCE_PREFIX,
  fromEntity,
  indexEntity,
  RUN_ROW,
  toJson,
  type Entity,
  type Props,
} from './runEntities.js';
import { encodeKeyPart } from './tableKeys.js';
import { storageStatus, translateStorageError } from './storageErrors.js';

export { encodeKeyPart } from './tableKeys.js';

/**
 * RunStore over Azure Table Storage. One partition per run (PartitionKey =
 * encoded runId); RowKeys: `run`, `action~<deviceId>`,
 * `evidence~<deviceId>~<machineActionId>~<commandIndex>` (parts encoded by
 * `encodeKeyPart`). Each record is stored as JSON in `record`, `record1`, ...
 * (`recordParts` of them) because one string property holds at most 64 KiB.
 *
 * createRun is one transaction (all-or-nothing) while the run row and its
 * actions fit one batch (100 entities, ~3 MiB): that is up to 99 devices. A
 * larger run commits the run row with the first 99 actions atomically, then
 * the other actions in further batches; if that is interrupted, calling
 * createRun again with the same run completes the missing action rows (and
 * still answers 'exists').
 *
 * listRuns reads the runs index (runIndex.ts): one entity per run in the
 * partition `~runs-newest-first`, RowKey `<inverted createdMs>~<encoded runId>`,
 * holding the run record again (a run is never changed once created). It is
 * written (upsert, so idempotent) by createRun after the run's rows, so a
 * listed run is complete. A createRun interrupted between the two leaves a
 * run that getRun reads but listRuns does not show until createRun is
 * called again for it: the 'exists' path writes the index entry of the
 * stored run, so the redelivered alert or schedule message (their run ids
 * come from the trigger) repairs it; a manual run without an idempotency key
 * gets a new id on retry, and the interrupted one stays unlisted. Runs
 * stored before the index existed are likewise not listed (getRun still
 * reads them): nothing has been deployed, so no backfill is needed; one
 * would scan the `run` rows once and upsert each one's index entry.
 */
export class TableRunStore implements RunStore {
  constructor(private readonly table: TableClient) {}

  static async create(table: TableClient): Promise<TableRunStore> {
    const store = new TableRunStore(table);
    await store.ensureTable();
    return store;
  }

  /** Creates the table if it does not exist. */
  async ensureTable(): Promise<void> {
    try {
      await this.table.createTable();
    } catch (error) {
      throw translateStorageError(error, `creating table ${this.table.tableName}`);
    }
  }

  async createRun(run: Run, actions: DeviceAction[]): Promise<'created' | 'exists'> {
    const runJson = toJson(runSchema, run, `run ${run.runId}`);
    checkActionsOfRun(run, actions);
    const actionEntities = actions.map((a) => actionEntity(a));
    const indexEntry = indexEntity(run, runJson);
    const [first = [], ...rest] = batches([entity(run.runId, RUN_ROW, runJson, { runId: run.runId }), ...actionEntities]);
    try {
      await this.table.submitTransaction(first.map((e) => ['create', e]));
    } catch (error) {
      if (storageStatus(error) !== 409) throw translateStorageError(error, `creating run ${run.runId}`);
      await this.completeIfSameRun(run.runId, runJson, rest.length > 0 ? actionEntities : []);
      return 'exists';
    }
    for (const batch of rest) await this.createAll(batch, `creating actions of run ${run.runId}`);
    await this.putIndexEntry(indexEntry, run.runId);
    return 'created';
  }

  async getRun(runId: string): Promise<RunView | undefined> {
    let run: Run | undefined;
    const actions: DeviceAction[] = [];
    const evidence: EvidenceItem[] = [];
    const what = `reading run ${runId}`;
    try {
      const filter = odata`PartitionKey eq ${encodeKeyPart(runId)}`;
      for await (const row of this.table.listEntities<Props>({ queryOptions: { filter } })) {
        if (row.rowKey === RUN_ROW) run = fromEntity(runSchema, row, what);
        else if (row.rowKey?.startsWith(ACTION_PREFIX)) actions.push(fromEntity(deviceActionSchema, row, what));
        else if (row.rowKey?.startsWith(EVIDENCE_PREFIX)) evidence.push(fromEntity(evidenceItemSchema, row, what));
      }
    } catch (error) {
      throw translateStorageError(error, what);
    }
    if (run === undefined) return undefined;
    return runView(run, actions, evidence);
  }

  async listRuns(query: ListRunsQuery): Promise<RunPage> {
    const checked = checkListRunsQuery(query);
    const range = runIndexRange(checked);
    const filter = [
      odata`PartitionKey eq ${RUN_INDEX_PARTITION}`,
      ...(range.after === undefined ? [] : [odata`RowKey gt ${range.after}`]),
      ...(range.atLeast === undefined ? [] : [odata`RowKey ge ${range.atLeast}`]),
      ...(range.below === undefined ? [] : [odata`RowKey lt ${range.below}`]),
    ].join(' and ');
    const what = 'listing runs';
    const rows: IndexedRun[] = [];
    try {
      // One row more than asked tells whether a next page exists.
      const pages = this.table.listEntities<Props>({ queryOptions: { filter } }).byPage({
        maxPageSize: Math.min(checked.limit + 1, MAX_RUNS_PAGE),
      });
      for await (const page of pages) {
        for (const row of page) rows.push({ key: row.rowKey ?? '', run: fromEntity(runSchema, row, what) });
        if (rows.length > checked.limit) break;
      }
    } catch (error) {
      throw translateStorageError(error, what);
    }
    return runPage(rows, checked.limit);
  }

  async getAction(runId: string, deviceId: string): Promise<Versioned<DeviceAction> | undefined> {
    const what = `reading action of run ${runId} device ${deviceId}`;
    try {
      const row = await this.table.getEntity<Props>(encodeKeyPart(runId), actionRowKey(deviceId));
      return { value: fromEntity(deviceActionSchema, row, what), etag: row.etag };
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw translateStorageError(error, what);
    }
  }

  async replaceAction(action: DeviceAction, etag: string): Promise<'ok' | 'conflict'> {
    try {
      await this.table.updateEntity(actionEntity(action), 'Replace', { etag });
      return 'ok';
    } catch (error) {
      if (storageStatus(error) === 412) return 'conflict';
      throw translateStorageError(error, `replacing action of run ${action.runId} device ${action.deviceId}`);
    }
  }

  async putEvidence(item: EvidenceItem): Promise<'created' | 'exists'> {
    const what = `evidence ${item.runId}/${item.deviceId}/${item.machineActionId}/${item.commandIndex}`;
    try {
      await this.table.createEntity(entity(item.runId, evidenceRowKey(item), toJson(evidenceItemSchema, item, what)));
      return 'created';
    } catch (error) {
      if (storageStatus(error) === 409) return 'exists';
      throw translateStorageError(error, `recording ${what}`);
    }
  }

  /**
   * After createRun found the run id taken: if the stored run is this run,
   * creates its missing action rows (an interrupted multi-batch create);
   * whichever run is stored, writes its index entry (a create interrupted
   * before it). Nothing when no run row exists (a stray row failed the
   * transaction).
   */
  private async completeIfSameRun(runId: string, runJson: string, actions: Entity[]): Promise<void> {
    const what = `completing run ${runId}`;
    const partitionKey = encodeKeyPart(runId);
    let stored: Run;
    try {
      stored = fromEntity(runSchema, await this.table.getEntity<Props>(partitionKey, RUN_ROW), what);
    } catch (error) {
      if (storageStatus(error) === 404) return;
      throw translateStorageError(error, what);
    }
    const storedJson = JSON.stringify(stored);
    if (storedJson === runJson && actions.length > 0) {
      const existing = new Set<string>();
      try {
        const filter = odata`PartitionKey eq ${partitionKey} and RowKey ge ${ACTION_PREFIX} and RowKey lt ${`${ACTION_PREFIX}~`}`;
        for await (const row of this.table.listEntities<Props>({ queryOptions: { filter, select: ['RowKey'] } })) {
          if (row.rowKey !== undefined) existing.add(row.rowKey);
        }
      } catch (error) {
        throw translateStorageError(error, what);
      }
      const missing = actions.filter((a) => !existing.has(a.rowKey));
      for (const batch of batches(missing)) await this.createAll(batch, what);
    }
    await this.putIndexEntry(indexEntity(stored, storedJson), runId);
  }

  /** Writes (or rewrites, identically) a run's index entry. */
  private async putIndexEntry(entry: Entity, runId: string): Promise<void> {
    try {
      await this.table.upsertEntity(entry, 'Replace');
    } catch (error) {
      throw translateStorageError(error, `indexing run ${runId}`);
    }
  }

  /** Creates the entities in one transaction; if some exist (a concurrent completion), creates the others one by one. */
  private async createAll(batch: Entity[], what: string): Promise<void> {
    try {
      await this.table.submitTransaction(batch.map((e) => ['create', e]));
      return;
    } catch (error) {
      if (storageStatus(error) !== 409) throw translateStorageError(error, what);
    }
    for (const e of batch) {
      try {
        await this.table.createEntity(e);
      } catch (error) {
        if (storageStatus(error) !== 409) throw translateStorageError(error, what);
      }
    }
  }
}
