import { describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../../../shared/playbooks/loader.js';
import { poisonMessage } from '../../../../shared/bus/poison.js';
import { handleAlertMessage } from '../../../../shared/services/intake/alertIntake.js';
import { alertFixture, FINANCE, record, rerunOnUpdate } from '../../../helpers/alerts.js';
import { fakeDeps } from '../../../helpers/fakes.js';

const shipped = await loadPlaybooks('playbooks');
const defender = alertFixture('defender-api-alert');
const delivery = { messageId: 'm1', deliveryCount: 1 };

describe('alert intake across shapes', () => {
  it('starts one run per alert of a streaming message', async () => {
    const deps = fakeDeps({ playbooks: shipped });
    const records = [
      ...(alertFixture('streaming-api-records').records as unknown[]),
      record('AlertInfo', { AlertId: 'da-two', Title: 'Other', Severity: 'High', Category: 'LateralMovement' }),
      record('AlertEvidence', { AlertId: 'da-two', Title: 'Other', EntityType: 'Machine', DeviceId: FINANCE }),
    ];
    const outcome = await handleAlertMessage(deps, { records }, delivery);
    // The file-drop alert waits its quiet period for a process row (process-memory-dump ranks higher and requires one).
    expect(outcome).toMatchObject({
      kind: 'batch',
      outcomes: [
        { kind: 'assembling', alertId: 'da638700000000000003_3000000003' },
        { kind: 'started', alertId: 'da-two' },
      ],
    });
    deps.clock.advance(deps.config.streamingAlerts.quietMs);
    const [check] = deps.bus.take('alerts');
    expect(await handleAlertMessage(deps, check?.body, { messageId: check?.messageId ?? '', deliveryCount: 1 })).toMatchObject({
      kind: 'started',
    });
    const names = await Promise.all([...deps.runs.runs.keys()].map(async (id) => (await deps.runs.getRun(id))?.run.playbook.name));
    expect(names.sort()).toEqual(['collect-alert-file', 'triage-bundle']);
  });

  it('dead-letters the malformed alert of a message with its reason and still answers the others', async () => {
    const deps = fakeDeps({ playbooks: shipped });
    const bad = record('AlertEvidence', { AlertId: 'da-bad', Title: 'x', EntityType: 'Machine', DeviceId: 'not-hex' });
    const outcome = await handleAlertMessage(
      deps,
      { records: [...(alertFixture('streaming-api-records').records as unknown[]), bad] },
      delivery,
    );
    expect(outcome).toMatchObject({ kind: 'batch', outcomes: [{ kind: 'dead-lettered' }, { kind: 'assembling' }] });
    expect(deps.bus.deadLettered).toEqual([
      {
        queue: 'alerts',
        body: { records: [bad] },
        reason: expect.objectContaining({
          reason: 'MalformedAlert',
          description: expect.stringMatching(
            /^malformed alert da-bad: records\.3\.properties\.DeviceId: a 40-hex-digit Defender device id/,
          ) as unknown,
        }) as unknown,
      },
    ]);
  });

  it('dead-letters two malformed alerts of one message as two poison messages with distinct ids', async () => {
    const deps = fakeDeps({ playbooks: shipped });
    const bad = (id: string) => record('AlertEvidence', { AlertId: id, Title: 'x', EntityType: 'Machine', DeviceId: 'not-hex' });
    await handleAlertMessage(deps, { records: [bad('da-bad-1'), bad('da-bad-2')] }, delivery);
    const ids = deps.bus.deadLettered.map((d) => poisonMessage('alerts', d.body, d.reason).messageId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(ids.every((id) => id.startsWith('m1.'))).toBe(true);
  });

  it('starts nothing for an alert that names no Defender device', async () => {
    const deps = fakeDeps({ playbooks: shipped });
    const graph = { ...alertFixture('graph-alerts-v2'), evidence: [] };
    expect(await handleAlertMessage(deps, graph, delivery)).toMatchObject({ kind: 'no-device' });
    expect(deps.runs.runs.size).toBe(0);
  });

  it('refuses a Tier0 device by its Defender tags and sends nothing for it', async () => {
    const deps = fakeDeps({ playbooks: shipped });
    deps.defender.onMachine = (id) => Promise.resolve({ id, machineTags: ['tier0'] });
    const outcome = await handleAlertMessage(deps, defender, delivery);
    const view = await deps.runs.getRun(outcome.kind === 'started' ? (outcome.runIds[0] ?? '') : '');
    expect(view?.run.refused).toEqual([{ deviceId: FINANCE, reason: 'device carries excluded tag Tier0' }]);
    expect(view?.actions).toEqual([]);
    expect(deps.bus.take('actions')).toEqual([]);
  });
});

describe('the same alert again', () => {
  it('starts no second run when it is redelivered or updated (rerun: never)', async () => {
    const deps = fakeDeps({ playbooks: shipped });
    const first = await handleAlertMessage(deps, defender, delivery);
    const again = await handleAlertMessage(deps, defender, { messageId: 'm2', deliveryCount: 1 });
    const updated = await handleAlertMessage(
      deps,
      { ...defender, lastUpdateTime: '2026-11-20T10:30:00Z', status: 'InProgress' },
      { messageId: 'm3', deliveryCount: 1 },
    );
    expect(first).toMatchObject({ kind: 'started', created: [true] });
    expect(again).toMatchObject({ kind: 'started', created: [false] });
    expect(updated).toMatchObject({ kind: 'started', created: [false] });
    expect(deps.runs.runs.size).toBe(1);
  });

  it('starts a new run for an update when the playbook says rerun: onUpdate, but not for a redelivery', async () => {
    const deps = fakeDeps({ playbooks: [rerunOnUpdate] });
    await handleAlertMessage(deps, defender, delivery);
    const again = await handleAlertMessage(deps, defender, { messageId: 'm2', deliveryCount: 1 });
    const updated = await handleAlertMessage(
      deps,
      { ...defender, lastUpdateTime: '2026-11-20T10:30:00Z' },
      { messageId: 'm3', deliveryCount: 1 },
    );
    expect(again).toMatchObject({ created: [false] });
    expect(updated).toMatchObject({ kind: 'started', created: [true] });
    expect(deps.runs.runs.size).toBe(2);
  });
});
