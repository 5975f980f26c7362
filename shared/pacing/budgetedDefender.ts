import type { AlertFeed, AlertQuery, DefenderApi, DownloadedResult, MachineActionQuery, MachineQuery } from '../defender/port.js';
import type { LibraryFile, Machine, MachineAction, RunLiveResponseRequest } from '../defender/types.js';
import { ThrottledError } from '../errors.js';
import type { Pacer } from './pacer.js';

/**
 * The Defender API with every status-class call (machine actions, result
 * links, cancel, machines, library, alert comments) paid for from the tenant-wide budget
 * (100/min, 1,500/h) before it is made. When the budget is spent the call is
 * not made: a ThrottledError with the wait comes back instead, which every
 * handler already answers by rescheduling. runliveresponse is paced by the
 * send-slot ledger instead; result downloads are not API calls.
 */
export class BudgetedDefenderApi implements DefenderApi, AlertFeed {
  constructor(
    private readonly inner: DefenderApi & AlertFeed,
    private readonly pacer: Pacer,
  ) {}

  async listAlerts(query: AlertQuery): Promise<unknown[]> {
    await this.pay('list alerts');
    return this.inner.listAlerts(query);
  }

  runLiveResponse(machineId: string, request: RunLiveResponseRequest): Promise<MachineAction> {
    return this.inner.runLiveResponse(machineId, request);
  }
  async getMachineAction(actionId: string): Promise<MachineAction> {
    await this.pay('get machine action');
    return this.inner.getMachineAction(actionId);
  }
  async listMachineActions(query: MachineActionQuery): Promise<MachineAction[]> {
    await this.pay('list machine actions');
    return this.inner.listMachineActions(query);
  }
  async cancelMachineAction(actionId: string, comment: string): Promise<MachineAction> {
    await this.pay('cancel machine action');
    return this.inner.cancelMachineAction(actionId, comment);
  }
  async getResultDownloadLink(actionId: string, commandIndex: number): Promise<string> {
    await this.pay('get result download link');
    return this.inner.getResultDownloadLink(actionId, commandIndex);
  }
  downloadResult(url: string): Promise<DownloadedResult> {
    return this.inner.downloadResult(url);
  }
  async listMachines(query?: MachineQuery): Promise<Machine[]> {
    await this.pay('list machines');
    return this.inner.listMachines(query);
  }
  async getMachine(idOrName: string): Promise<Machine> {
    await this.pay('get machine');
    return this.inner.getMachine(idOrName);
  }
  async listLibraryFiles(): Promise<LibraryFile[]> {
    await this.pay('list library files');
    return this.inner.listLibraryFiles();
  }

  async commentOnAlert(alertId: string, comment: string): Promise<void> {
    await this.pay('comment on alert');
    return this.inner.commentOnAlert(alertId, comment);
  }

  private pay(what: string): Promise<void> {
    return payStatusCall(this.pacer, what);
  }
}

/**
 * Takes one status call from the tenant-wide budget, or throws a
 * ThrottledError with the wait. The client pays each further page of a list
 * with it (DefenderClientOptions.payForExtraCall), the wrapper the first.
 */
export async function payStatusCall(pacer: Pick<Pacer, 'takeStatusCalls'>, what: string): Promise<void> {
  const budget = await pacer.takeStatusCalls(1);
  if (!budget.ok) throw new ThrottledError(`${what}: the tenant's status-call budget is spent for now`, budget.waitMs);
}
