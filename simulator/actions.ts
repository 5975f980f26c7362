import { isTerminal } from '../shared/defender/types.js';
import type { ActionRecord } from './actionModel.js';
import type { LiveResponseRequest } from './commands.js';
import { advanceAction, type ExecutionEnv } from './execution.js';

export interface NewAction {
  readonly id: string;
  readonly machineId: string;
  readonly computerDnsName: string;
  readonly requestor: string;
  readonly scopeKey: string;
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
      scopeKey: input.scopeKey,
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

  /** Open sessions of one app+tenant; Pending ones only when `countPending`. */
  sessionsInScope(scopeKey: string, countPending: boolean): number {
    let n = 0;
    for (const r of this.open) if (r.scopeKey === scopeKey && (countPending || r.status === 'InProgress')) n++;
    return n;
  }
}
