import type { ActionStatus } from '../shared/defender/types.js';
import type { QuotaOwner } from './budgets.js';
import type { ValidatedCommand } from './commands.js';
import type { FileSource } from './content.js';
import type { ValueFormat } from './valueFormats.js';

/** What a command leaves behind for GetLiveResponseResultDownloadLink. */
export type CommandResult =
  | { readonly kind: 'transcript'; readonly body: Buffer; readonly fileName: string }
  | { readonly kind: 'file'; readonly source: FileSource; readonly path: string };

export interface CommandWrite {
  readonly path: string;
  readonly source: FileSource;
}

/** The outcome of a command, decided when it starts (from the library and device state then). */
export type CommandPlan =
  | { readonly ok: true; readonly durationMs: number; readonly writes: readonly CommandWrite[]; readonly result?: CommandResult }
  | { readonly ok: false; readonly durationMs: number; readonly errors: readonly string[]; readonly actionStatus: 'Failed' | 'TimeOut' };

/** Documented command statuses: Created, Completed, Failed (no in-progress value; see README). */
export type CommandStatus = 'Created' | 'Completed' | 'Failed';

export interface CommandRecord {
  readonly index: number;
  readonly command: ValidatedCommand;
  status: CommandStatus;
  startMs?: number;
  endMs?: number;
  errors: string[];
  plan?: CommandPlan;
  result?: CommandResult;
}

export interface ActionRecord {
  readonly id: string;
  /** Creation order, the tie-breaker of "newest first". */
  readonly sequence: number;
  readonly machineId: string;
  readonly computerDnsName: string;
  readonly requestor: string;
  readonly requestorComment: string | null;
  /** The app and tenant whose session quota the action uses (choice 26). */
  readonly owner: QuotaOwner;
  /** Set when another app of the fleet (`otherApps[].name`), not an HTTP caller, created it. */
  readonly otherApp?: string;
  readonly createdMs: number;
  status: ActionStatus;
  lastUpdateMs: number;
  /** Simulated time up to which this action has been advanced. */
  progressMs: number;
  /** Index of the next command to start. */
  cursor: number;
  errorHResult: number;
  terminalMs?: number;
  cancellation?: { readonly requestor: string; readonly comment: string; readonly atMs: number };
  readonly commands: CommandRecord[];
}

/** HRESULTs reported on failed actions (simulator choice; Microsoft does not document them). */
export const E_FAIL = -2147467259;
export const HRESULT_TIMEOUT = -2147023436;

export function commandJson(c: CommandRecord, format: ValueFormat): Record<string, unknown> {
  return {
    index: c.index,
    startTime: format.commandTime(c.startMs),
    endTime: format.commandTime(c.endMs),
    commandStatus: c.status,
    errors: [...c.errors],
    command: { type: c.command.type, params: c.command.params.map((p) => ({ key: p.key, value: p.value })) },
  };
}

/** The MachineAction entity (mde-api.md 3.1), with the fields seen in real LiveResponse payloads. */
export function machineActionJson(a: ActionRecord, format: ValueFormat, options: { omitCommands?: boolean } = {}): Record<string, unknown> {
  return {
    id: a.id,
    type: 'LiveResponse',
    title: null,
    requestor: a.requestor,
    requestorComment: a.requestorComment,
    status: a.status,
    machineId: a.machineId,
    computerDnsName: a.computerDnsName,
    creationDateTimeUtc: format.time(a.createdMs, a.id),
    lastUpdateDateTimeUtc: format.time(a.lastUpdateMs, a.id),
    cancellationRequestor: a.cancellation?.requestor ?? null,
    cancellationComment: a.cancellation?.comment ?? null,
    cancellationDateTimeUtc: format.timeOrNull(a.cancellation?.atMs, a.id),
    errorHResult: a.errorHResult,
    scope: null,
    externalId: null,
    requestSource: 'PublicApi',
    relatedFileInfo: null,
    commands: options.omitCommands ? [] : a.commands.map((c) => commandJson(c, format)),
    troubleshootInfo: null,
  };
}
