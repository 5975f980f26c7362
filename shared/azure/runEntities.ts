import type { TableEntity, TableEntityResult } from '@azure/data-tables';
import type { z } from 'zod';
import { PermanentError, ValidationError } from '../errors.js';
import { deviceActionSchema, type DeviceAction, type EvidenceItem, type Run } from '../runs/model.js';
import { validRecord } from '../runs/records.js';
import { toIssues } from '../validation.js';
import { textFrom, textProps, type TextLayout } from './entityText.js';
import { RUN_INDEX_PARTITION, runIndexRowKey } from './runIndex.js';
import { encodeKeyPart } from './tableKeys.js';

/*
 * The rows of the run store (tableRunStore.ts): one partition per run
 * (PartitionKey = encoded runId), RowKeys `run`, `action~<deviceId>` and
 * `evidence~<deviceId>~<machineActionId>~<commandIndex>`, plus the runs
 * index entry (runIndex.ts). Each record is JSON split over `record`,
 * `record1`, ... and checked against its schema both ways.
 */

/** An entity's properties besides its keys. */
export type Props = Record<string, unknown>;
export type Entity = TableEntity<Props>;

/** The RowKey of the run's own row, and the prefixes of its actions' and evidence items' rows. */
export const RUN_ROW = 'run';
export const ACTION_PREFIX = 'action~';
export const EVIDENCE_PREFIX = 'evidence~';
/** Each record is JSON in `record`, `record1`, ... (`recordParts` of them). */
const RECORD_LAYOUT: TextLayout = { countProp: 'recordParts', partProp: (i) => (i === 0 ? 'record' : `record${i}`) };
const MAX_BATCH_ENTITIES = 100;
/** Payload budget for one transaction (the service limit is 4 MiB). */
const MAX_BATCH_BYTES = 3 * 1024 * 1024;
/** Keys are limited to 1 KiB; counted as UTF-16 to be safe. */
const MAX_KEY_CHARS = 512;

/** A device action's row: `action~<deviceId>`, encoded. */
export function actionRowKey(deviceId: string): string {
  return ACTION_PREFIX + encodeKeyPart(deviceId);
}

/** An evidence item's row: `evidence~<deviceId>~<machineActionId>~<commandIndex>`, each part encoded. */
export function evidenceRowKey(item: EvidenceItem): string {
  return EVIDENCE_PREFIX + [item.deviceId, item.machineActionId, String(item.commandIndex)].map(encodeKeyPart).join('~');
}

/** A device action's entity, its record checked against the schema. */
export function actionEntity(action: DeviceAction): Entity {
  const what = `action of run ${action.runId} device ${action.deviceId}`;
  return entity(action.runId, actionRowKey(action.deviceId), toJson(deviceActionSchema, action, what));
}

/** A row of the run's partition holding `json` (split over `record`, `record1`, ...), with `extra` properties beside it. */
export function entity(runId: string, rowKey: string, json: string, extra: Props = {}): Entity {
  return keyedEntity(encodeKeyPart(runId), rowKey, json, extra);
}

/** The run's entry in the runs index (see runIndex.ts), holding the run record. */
export function indexEntity(run: Run, runJson: string): Entity {
  return keyedEntity(RUN_INDEX_PARTITION, runIndexRowKey(run), runJson, { runId: run.runId });
}

function keyedEntity(partitionKey: string, rowKey: string, json: string, extra: Props): Entity {
  for (const key of [partitionKey, rowKey]) {
    if (key.length > MAX_KEY_CHARS)
      throw new PermanentError(`table key too long (${key.length} > ${MAX_KEY_CHARS} characters once encoded): ${key.slice(0, 80)}...`);
  }
  return { partitionKey, rowKey, ...extra, ...textProps(json, RECORD_LAYOUT, `record ${partitionKey}/${rowKey}`) };
}

/** The record as JSON once it matches its schema (a ValidationError naming the fields otherwise). */
export function toJson<S extends z.ZodType>(schema: S, value: unknown, what: string): string {
  return JSON.stringify(validRecord(schema, value, what));
}

/** The record a row holds, parsed and checked against its schema; a row that holds anything else is a PermanentError or ValidationError naming it. */
export function fromEntity<S extends z.ZodType>(schema: S, row: TableEntityResult<Props>, what: string): z.output<S> {
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

/** The entities in transaction-sized batches (at most 100 entities and about 3 MiB each), in order. */
export function batches(entities: Entity[]): Entity[][] {
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
