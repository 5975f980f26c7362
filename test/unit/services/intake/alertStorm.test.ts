import { analyst } from '../../../helpers/principals.js';
import { describe, expect, it } from 'vitest';
import type { DeliveryInfo } from '../../../../shared/bus/port.js';
import { BudgetedDefenderApi } from '../../../../shared/pacing/budgetedDefender.js';
import { refreshDeviceDirectory } from '../../../../shared/services/directory/refresh.js';
import { handleAlertMessage, type AlertOutcome } from '../../../../shared/services/intake/alertIntake.js';
import { startManualRun } from '../../../../shared/services/intake/manualRuns.js';
import { alertFixture } from '../../../helpers/alerts.js';
import { fakeDeps } from '../../../helpers/fakes.js';

const FLEET = Array.from({ length: 500 }, (_, i) => (i + 1).toString(16).padStart(40, '0'));
const ALERTS = 3_000;
const lsass = alertFixture('defender-api-alert');
const alertOn = (i: number) => ({ ...lsass, id: `da-storm-${i}`, machineId: FLEET[i % 200] });

/**
 * Intake with the production budget wrapper (100 status calls a minute,
 * 1,500 an hour, tenant-wide) over an instant fake Defender: the clock does
 * not move, so every call a handler paid would come out of one minute.
 */
function budgetedIntake() {
  const deps = fakeDeps();
  const inner = deps.defender;
  inner.onMachines = () => Promise.resolve(FLEET.map((id) => ({ id, machineTags: [], osPlatform: 'Windows11' })));
  return { deps: { ...deps, defender: new BudgetedDefenderApi(inner, deps.pacer) }, inner, bus: deps.bus, runs: deps.runs };
}

async function deliver(deps: ReturnType<typeof budgetedIntake>['deps'], body: unknown, delivery: DeliveryInfo): Promise<AlertOutcome> {
  return handleAlertMessage(deps, body, delivery);
}

describe('an alert storm through intake with the production status budget', () => {
  it(`starts every run of ${ALERTS} alerts from the refreshed directory without one device call`, async () => {
    const { deps, inner, runs } = budgetedIntake();
    await refreshDeviceDirectory(deps);
    const outcomes: AlertOutcome[] = [];
    for (let i = 0; i < ALERTS; i++) outcomes.push(await deliver(deps, alertOn(i), { messageId: `m${i}`, deliveryCount: 1 }));
    expect(outcomes.filter((o) => o.kind === 'started')).toHaveLength(ALERTS);
    expect(runs.runs.size).toBe(ALERTS);
    expect(inner.calls.filter((c) => c.method === 'getMachine')).toEqual([]);
    expect(inner.calls.filter((c) => c.method === 'listMachines')).toHaveLength(1);
  });

  it('before any refresh, looks up only its allowance of devices, defers the other alerts, and starts them all after the refresh', async () => {
    const { deps, inner, bus, runs } = budgetedIntake();
    const outcomes: AlertOutcome[] = [];
    for (let i = 0; i < ALERTS; i++) outcomes.push(await deliver(deps, alertOn(i), { messageId: `m${i}`, deliveryCount: 1 }));
    const lookedUp = inner.calls.filter((c) => c.method === 'getMachine').length;
    expect(lookedUp).toBe(deps.config.deviceDirectory.missLookups);
    const deferred = bus.take('alerts');
    expect(outcomes.filter((o) => o.kind === 'deferred')).toHaveLength(deferred.length);
    expect(outcomes.filter((o) => o.kind === 'started')).toHaveLength(ALERTS - deferred.length);
    expect(deferred.length).toBeGreaterThan(0);
    for (const message of deferred) expect(message.notBeforeMs).toBe(deps.clock.nowMs() + deps.config.deviceDirectory.missRetryMs);

    await refreshDeviceDirectory(deps);
    deps.clock.advance(deps.config.deviceDirectory.missRetryMs);
    for (const message of deferred) {
      const again = await deliver(deps, message.body, { messageId: message.messageId, deliveryCount: 1, properties: message.properties });
      expect(again.kind).toBe('started');
    }
    expect(runs.runs.size).toBe(ALERTS);
    expect(inner.calls.filter((c) => c.method === 'getMachine')).toHaveLength(lookedUp);
  });

  it('answers an alert whose device never appears once it has waited its longest, refusing the device whose tags are unknown', async () => {
    const { deps, bus, runs } = budgetedIntake();
    await deps.devices.saveState({ refreshedMs: deps.clock.nowMs(), missLookupsLeft: 0 }, undefined);
    const first = await deliver(deps, alertOn(7), { messageId: 'm7', deliveryCount: 1 });
    expect(first.kind).toBe('deferred');
    let message = bus.take('alerts')[0];
    for (let waits = 1; message; waits++) {
      expect(waits).toBeLessThanOrEqual(13);
      deps.clock.advance(deps.config.deviceDirectory.missRetryMs);
      const outcome = await deliver(deps, message.body, { messageId: message.messageId, deliveryCount: 1, properties: message.properties });
      message = bus.take('alerts')[0];
      if (!message) expect(outcome.kind).toBe('started');
    }
    const [view] = await Promise.all([...runs.runs.keys()].map((id) => runs.getRun(id)));
    expect(view?.actions).toEqual([]);
    expect(view?.run.refused[0]?.reason).toMatch(/not in the device directory/);
  });
});

describe('a manual run on 500 devices', () => {
  it('answers at once from the directory, without a Defender call per device', async () => {
    const { deps, inner } = budgetedIntake();
    await refreshDeviceDirectory(deps);
    const calls = inner.calls.length;
    const started = await startManualRun(deps, { playbook: 'collect-hosts-file', devices: FLEET, reason: 'INC-1' }, analyst());
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    expect(started.value.run.deviceIds).toHaveLength(50);
    expect(started.value.run.refused.filter((r) => !/beyond the playbook's maximum/.test(r.reason))).toEqual([]);
    expect(inner.calls.slice(calls)).toEqual([]);
  });

  it('refuses a device the directory does not hold once the miss allowance is spent, and still answers', async () => {
    const { deps, inner } = budgetedIntake();
    await deps.devices.saveState({ refreshedMs: deps.clock.nowMs(), missLookupsLeft: 0 }, undefined);
    const started = await startManualRun(deps, { playbook: 'collect-hosts-file', devices: FLEET.slice(0, 3), reason: 'INC-1' }, analyst());
    expect(started.ok && started.value.run.refused.map((r) => r.reason)).toEqual(
      Array.from({ length: 3 }, () => expect.stringMatching(/not in the device directory/) as unknown),
    );
    expect(inner.calls).toEqual([]);
  });
});
