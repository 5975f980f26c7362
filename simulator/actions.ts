import { isTerminal } from '../shared/defender/types.js';
import type { ActionRecord } from './actionModel.js';
import { quotaKey, type QuotaOwner } from './budgets.js';
import type { LiveResponseRequest } from './commands.js';
import { advanceAction, type ExecutionEnv } from './execution.js';
import type { QuotaScope } from './strictness.js';

export interface NewAction {
  readonly id: string;
  readonly machineId: string;
  readonly computerDnsName: string;
  readonly requestor: string;
  readonly owner: QuotaOwner;
  readonly otherApp?: string;
  readonly createdMs: number;
  readonly request: LiveResponseRequest;
}

/** Every live response action the simulator has accepted, and the open ones it keeps advancing. */
export class ActionStore {
  private readonly records: ActionRecord[] = [];
  private readonly byId = new Map<string, ActionRecord>();
  private readonly open = new Set<ActionRecord>();

  constructor(private readonly envFor: (action: ActionRecord) => ExecutionEnv) {}

  create(input: NewAction): ActionRecord {
    const record: ActionRecord = {
      id: input.id,
      sequence: this.records.length,
      machineId: input.machineId,
      computerDnsName: input.computerDnsName,
      requestor: input.requestor,
      requestorComment: input.request.comment,
      owner: input.owner,
      ...(input.otherApp === undefined ? {} : { otherApp: input.otherApp }),
      createdMs: input.createdMs,
      status: 'Pending',
      lastUpdateMs: input.createdMs,
      progressMs: input.createdMs,
      cursor: 0,
      errorHResult: 0,
      commands: input.request.commands.map((command, index) => ({ index, command, status: 'Created', errors: [] })),
    };
    this.records.push(record);
    this.byId.set(record.id.toLowerCase(), record);
    this.open.add(record);
    return record;
  }

  get(id: string): ActionRecord | undefined {
    return this.byId.get(id.toLowerCase());
  }

  all(): readonly ActionRecord[] {
    return this.records;
  }

  /** Newest first (simulator choice for the undocumented default order). */
  newestFirst(): ActionRecord[] {
    return [...this.records].sort((a, b) => b.createdMs - a.createdMs || b.sequence - a.sequence);
  }

  /** Moves every open action to `nowMs`. */
  advanceAll(nowMs: number): void {
    for (const record of [...this.open]) {
      advanceAction(record, nowMs, this.envFor(record));
      if (isTerminal(record.status)) this.open.delete(record);
    }
  }

  /** Closes an action changed from outside (cancel). */
  settle(record: ActionRecord): void {
    if (isTerminal(record.status)) this.open.delete(record);
  }

  activeOnDevice(machineId: string): ActionRecord | undefined {
    for (const record of this.open) if (record.machineId === machineId) return record;
    return undefined;
  }

  /** Open sessions that use `owner`'s quota (its app's, or its tenant's with `scope` tenant); Pending ones only when `countPending`. */
  sessionsOf(owner: QuotaOwner, scope: QuotaScope, countPending: boolean): number {
    const key = quotaKey(owner, scope);
    let n = 0;
    for (const r of this.open) if (quotaKey(r.owner, scope) === key && (countPending || r.status === 'InProgress')) n++;
    return n;
  }
}
