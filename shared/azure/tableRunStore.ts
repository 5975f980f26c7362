import { odata, type TableClient, type TableEntity, type TableEntityResult } from '@azure/data-tables';
import type { z } from 'zod';
import { PermanentError, ValidationError } from '../errors.js';
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
import { checkActionsOfRun, runView, validRecord } from '../runs/records.js';
import { checkListRunsQuery, MAX_RUNS_PAGE, type ListRunsQuery, type RunPage } from '../runs/listing.js';
import type { RunStore } from '../runs/store.js';
import { textFrom, textProps, type TextLayout } from './entityText.js';
import { RUN_INDEX_PARTITION, runIndexRange, runIndexRowKey, runPage, type IndexedRun } from './runIndex.js';
import { encodeKeyPart } from './tableKeys.js';
import { storageStatus, translateStorageError } from './storageErrors.js';
import { toIssues } from '../validation.js';

type Props = Record<string, unknown>;
type Entity = TableEntity<Props>;

const RUN_ROW = 'run';
const ACTION_PREFIX = 'action~';
const EVIDENCE_PREFIX = 'evidence~';
/** Each record is JSON in `record`, `record1`, ... (`recordParts` of them). */
const RECORD_LAYOUT: TextLayout = { countProp: 'recordParts', partProp: (i) => (i === 0 ? 'record' : `record${i}`) };
const MAX_BATCH_ENTITIES = 100;
/** Payload budget for one transaction (the service limit is 4 MiB). */
const MAX_BATCH_BYTES = 3 * 1024 * 1024;
/** Keys are limited to 1 KiB; counted as UTF-16 to be safe. */
const MAX_KEY_CHARS = 512;

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
    const rowKey = EVIDENCE_PREFIX + [item.deviceId, item.machineActionId, String(item.commandIndex)].map(encodeKeyPart).join('~');
    try {
      await this.table.createEntity(entity(item.runId, rowKey, toJson(evidenceItemSchema, item, what)));
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

function actionRowKey(deviceId: string): string {
  return ACTION_PREFIX + encodeKeyPart(deviceId);
}

function actionEntity(action: DeviceAction): Entity {
  const what = `action of run ${action.runId} device ${action.deviceId}`;
  return entity(action.runId, actionRowKey(action.deviceId), toJson(deviceActionSchema, action, what));
}

function entity(runId: string, rowKey: string, json: string, extra: Props = {}): Entity {
  return keyedEntity(encodeKeyPart(runId), rowKey, json, extra);
}

/** The run's entry in the runs index (see runIndex.ts), holding the run record. */
function indexEntity(run: Run, runJson: string): Entity {
  return keyedEntity(RUN_INDEX_PARTITION, runIndexRowKey(run), runJson, { runId: run.runId });
}

function keyedEntity(partitionKey: string, rowKey: string, json: string, extra: Props): Entity {
  for (const key of [partitionKey, rowKey]) {
    if (key.length > MAX_KEY_CHARS)
      throw new PermanentError(`table key too long (${key.length} > ${MAX_KEY_CHARS} characters once encoded): ${key.slice(0, 80)}...`);
  }
  return { partitionKey, rowKey, ...extra, ...textProps(json, RECORD_LAYOUT, `record ${partitionKey}/${rowKey}`) };
}

function toJson<S extends z.ZodType>(schema: S, value: unknown, what: string): string {
  return JSON.stringify(validRecord(schema, value, what));
}

function fromEntity<S extends z.ZodType>(schema: S, row: TableEntityResult<Props>, what: string): z.output<S> {
  const where = `${what}: row ${row.partitionKey ?? '?'}/${row.rowKey ?? '?'}`;
  const json = textFrom(row, RECORD_LAYOUT, where);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new PermanentError(`${where} holds invalid JSON`, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(`${where} does not match its schema`, toIssues(parsed.error));
  return parsed.data;
}

function batches(entities: Entity[]): Entity[][] {
  const out: Entity[][] = [];
  let current: Entity[] = [];
  let bytes = 0;
  for (const e of entities) {
    const size = Buffer.byteLength(JSON.stringify(e)) + 512; // + multipart headers
    if (current.length > 0 && (current.length >= MAX_BATCH_ENTITIES || bytes + size > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
