import { runIndexRange, runIndexRowKey, runPage } from '../../shared/azure/runIndex.js';
import { NotFoundError } from '../../shared/errors.js';
import { checkListRunsQuery, type ListRunsQuery, type RunPage } from '../../shared/runs/listing.js';
import {
  deviceActionSchema,
  evidenceItemSchema,
  runSchema,
  type DeviceAction,
  type EvidenceItem,
  type Run,
  type RunView,
  type Versioned,
} from '../../shared/runs/model.js';
import { checkActionsOfRun, runView, validRecord } from '../../shared/runs/records.js';
import type { RunStore } from '../../shared/runs/store.js';
import { settle } from './settle.js';

/**
 * Runs in memory for unit tests, held to the RunStore contract
 * (test/contracts/runStore.contract.ts) like the Table adapter: records are
 * checked against the same schemas and kept as the schema outputs them (as
 * JSON would), reads and listings come back in the adapter's order, and
 * every read or write copies.
 */
export class MemoryRunStore implements RunStore {
  runs = new Map<string, Run>();
  actions = new Map<string, { value: DeviceAction; version: number }>();
  evidence = new Map<string, EvidenceItem>();

  createRun(run: Run, actions: DeviceAction[]): Promise<'created' | 'exists'> {
    return settle(() => {
      const stored = asStored(validRecord(runSchema, run, `run ${run.runId}`));
      checkActionsOfRun(run, actions);
      const storedActions = actions.map((a) => asStored(validRecord(deviceActionSchema, a, actionName(a))));
      if (this.runs.has(run.runId)) return 'exists';
      this.runs.set(run.runId, stored);
      for (const a of storedActions) this.actions.set(actionKey(a.runId, a.deviceId), { value: a, version: 1 });
      return 'created';
    });
  }

  getRun(runId: string): Promise<RunView | undefined> {
    const run = this.runs.get(runId);
    if (!run) return Promise.resolve(undefined);
    const actions = [...this.actions.values()].map((a) => a.value).filter((a) => a.runId === runId);
    const evidence = [...this.evidence.values()].filter((e) => e.runId === runId);
    return Promise.resolve(structuredClone(runView(run, actions, evidence)));
  }

  /** Ordered, bounded and paged with the Table adapter's index keys (shared/azure/runIndex.ts), so pages match it exactly. */
  listRuns(query: ListRunsQuery): Promise<RunPage> {
    return settle(() => {
      const checked = checkListRunsQuery(query);
      const { after, atLeast, below } = runIndexRange(checked);
      const rows = [...this.runs.values()]
        .map((run) => ({ key: runIndexRowKey(run), run: structuredClone(run) }))
        .filter(
          ({ key }) =>
            (after === undefined || key > after) && (atLeast === undefined || key >= atLeast) && (below === undefined || key < below),
        )
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return runPage(rows, checked.limit);
    });
  }

  getAction(runId: string, deviceId: string): Promise<Versioned<DeviceAction> | undefined> {
    const found = this.actions.get(actionKey(runId, deviceId));
    return Promise.resolve(found ? { value: structuredClone(found.value), etag: String(found.version) } : undefined);
  }

  /** Like a Table entity's ETag, `*` matches any version. */
  replaceAction(action: DeviceAction, etag: string): Promise<'ok' | 'conflict'> {
    return settle(() => {
      const stored = asStored(validRecord(deviceActionSchema, action, actionName(action)));
      const key = actionKey(action.runId, action.deviceId);
      const found = this.actions.get(key);
      if (!found) throw new NotFoundError(`replacing ${actionName(action)}: no such action`);
      if (etag !== '*' && String(found.version) !== etag) return 'conflict';
      this.actions.set(key, { value: stored, version: found.version + 1 });
      return 'ok';
    });
  }

  putEvidence(item: EvidenceItem): Promise<'created' | 'exists'> {
    return settle(() => {
      const what = `evidence ${item.runId}/${item.deviceId}/${item.machineActionId}/${item.commandIndex}`;
      const stored = asStored(validRecord(evidenceItemSchema, item, what));
      const key = `${item.runId}|${item.deviceId}|${item.machineActionId}|${item.commandIndex}`;
      if (this.evidence.has(key)) return 'exists';
      this.evidence.set(key, stored);
      return 'created';
    });
  }
}

const actionKey = (runId: string, deviceId: string): string => `${runId}|${deviceId}`;
const actionName = (a: DeviceAction): string => `action of run ${a.runId} device ${a.deviceId}`;

/** A record as a store keeps it: what its JSON reads back as. */
function asStored<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
