import type { z } from 'zod';
import { PermanentError, ValidationError } from '../errors.js';
import { toIssues } from '../validation.js';
import type { DeviceAction, EvidenceItem, Run, RunView } from './model.js';

/**
 * What every RunStore does to the records it keeps, whatever holds them: it
 * refuses a record its schema refuses (ValidationError), stores the record as
 * the schema outputs it (defaults filled in, unknown fields dropped), and
 * hands runs back in one order. The Table adapter and the in-memory fake
 * both use these, and test/contracts/runStore.contract.ts holds them to it.
 */

/** `value` as `schema` outputs it; a ValidationError naming `what` and each offending field when it does not fit. */
export function validRecord<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(`${what} is invalid`, toIssues(parsed.error));
  return parsed.data;
}

/** Refuses actions that belong to another run, or two actions for one device (PermanentError). */
export function checkActionsOfRun(run: Run, actions: readonly DeviceAction[]): void {
  const seen = new Set<string>();
  for (const action of actions) {
    if (action.runId !== run.runId)
      throw new PermanentError(`action for device ${action.deviceId} belongs to run ${action.runId}, not ${run.runId}`);
    if (seen.has(action.deviceId)) throw new PermanentError(`run ${run.runId} has two actions for device ${action.deviceId}`);
    seen.add(action.deviceId);
  }
}

/**
 * The run as getRun answers it: actions in the order of `run.deviceIds`
 * (devices not listed there last, by id); evidence by device, machine action
 * and command index.
 */
export function runView(run: Run, actions: DeviceAction[], evidence: EvidenceItem[]): RunView {
  const order = new Map(run.deviceIds.map((id, i) => [id, i]));
  const rank = (id: string): number => order.get(id) ?? order.size;
  actions.sort((a, b) => rank(a.deviceId) - rank(b.deviceId) || compare(a.deviceId, b.deviceId));
  evidence.sort(
    (a, b) => compare(a.deviceId, b.deviceId) || compare(a.machineActionId, b.machineActionId) || a.commandIndex - b.commandIndex,
  );
  return { run, actions, evidence };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
