import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { BudgetedDefenderApi } from '../../../shared/pacing/budgetedDefender.js';
import { pacingLimitsOf } from '../../../shared/pacing/limits.js';
import { Pacer } from '../../../shared/pacing/pacer.js';
import { cancelRun } from '../../../shared/services/cancel/cancelRun.js';
import { startManualRun } from '../../../shared/services/intake/manualRuns.js';
import { handleActionMessage } from '../../../shared/services/submission/submitter.js';
import type { Profile } from '../../../simulator/index.js';
import { InProcessPacingStore } from '../../helpers/casStores.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { analyst } from '../../helpers/principals.js';
import { deviceId, errorOf, runScript, simulatorClient, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

let t: TestSimulator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const OFFLINE = deviceId(1);

describe.each<Profile>(['lenient', 'strict'])('cancelling a run against the %s simulator', (profile) => {
  it('frees an offline device: after its Pending action is cancelled, a new action for it is accepted', async () => {
    t = await startTestSimulator({
      fleet: {
        name: 'offline',
        library: [{ fileName: 'Echo.ps1', content: 'Write-Output $args' }],
        devices: [{ id: OFFLINE, computerDnsName: 'away.contoso.local', availability: { online: 'never' } }],
      },
      settings: { profile },
    });
    const config = loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' });
    const pacer = new Pacer(new InProcessPacingStore(), t.clock, pacingLimitsOf(config));
    const deps = fakeDeps({ clock: t.clock, pacer, defender: new BudgetedDefenderApi(simulatorClient(t), pacer) });
    const submitRun = async (reason: string) => {
      const started = await startManualRun(deps, { playbook: 'collect-hosts-file', devices: [OFFLINE], reason }, analyst());
      if (!started.ok) throw new Error('the run did not start');
      const [submit] = deps.bus.take('actions');
      t?.clock.set(Math.max(t.clock.nowMs(), submit?.notBeforeMs ?? 0));
      return {
        runId: started.value.run.runId,
        outcome: await handleActionMessage(deps, submit?.body, { messageId: reason, deliveryCount: 1 }),
      };
    };

    const first = await submitRun('INC-1');
    expect(first.outcome).toBe('submitted');
    const busy = await t.runLiveResponse(OFFLINE, [runScript('Echo.ps1')]);
    expect((await errorOf(busy)).code).toBe('ActiveRequestAlreadyExists');

    const cancelled = await cancelRun(deps, first.runId, { reason: 'INC-1 closed' }, analyst('ana@contoso.com', ['Responder.Cancel']));
    expect(cancelled).toMatchObject({ ok: true, value: { report: { devices: [{ deviceId: OFFLINE, outcome: 'cancelled' }] } } });
    // Past the strict profile's list lag, so the action can be read by id.
    t.clock.advance(60_000);
    const firstAction = (await deps.runs.getAction(first.runId, OFFLINE))?.value.machineActionId ?? '';
    const atDefender = await (await t.call(`/api/machineactions/${firstAction}`)).json();
    expect(atDefender).toMatchObject({ status: 'Cancelled', cancellationComment: expect.stringContaining('INC-1 closed') as string });

    const second = await submitRun('INC-2');
    expect(second.outcome).toBe('submitted');
    expect(t.sim.stats().actionsCreated).toBe(2);
  });
});
