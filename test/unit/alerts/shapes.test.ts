import { describe, expect, it } from 'vitest';
import { parseAlerts } from '../../../shared/alerts/parseAlert.js';
import { ManualClock } from '../../../shared/clock.js';
import { loadPlaybooks } from '../../../shared/playbooks/loader.js';
import { staticDirectory } from '../../../shared/services/intake/deviceDirectory.js';
import { dryRun } from '../../../shared/services/intake/dryRun.js';
import { handleAlertMessage } from '../../../shared/services/intake/alertIntake.js';
import { alertFixture, FINANCE, LINUX_WEB, record } from '../../helpers/alerts.js';
import { fakeDeps } from '../../helpers/fakes.js';

const playbooks = await loadPlaybooks('playbooks');
const graph = alertFixture('graph-alerts-v2');
const delivery = { messageId: 'm1', deliveryCount: 1 };
const OTHER = '2a7f0c3e9b1d4c6e8f0a2b4c6d8e0f1a3b5c7d9e';
const UNBOUND = "the alert's process evidence names no device, and the alert names 2 device(s): it is not bound to this one";

/** The Windows Graph example with its process and file evidence naming no device (as Graph often sends them). */
function graphWithUnboundEvidence(extraDevices: unknown[] = []): Record<string, unknown> {
  const evidence = (graph.evidence as Record<string, unknown>[]).map((e) =>
    e['@odata.type'] === '#microsoft.graph.security.deviceEvidence' ? e : { ...e, mdeDeviceId: null },
  );
  return { ...graph, evidence: [...evidence, ...extraDevices] };
}

async function dry(alert: unknown, playbook?: string) {
  const directory = staticDirectory([
    { id: FINANCE, tags: ['Workstations'], osPlatform: 'Windows11' },
    { id: OTHER, tags: ['Servers'], osPlatform: 'WindowsServer2022' },
  ]);
  const result = await dryRun({ playbooks, directory, clock: new ManualClock() }, { alert, playbook });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

describe('evidence bound to its device', () => {
  it('binds a Graph process entry without mdeDeviceId to the device its deviceEvidence names, and dumps that process', async () => {
    const parsed = parseAlerts(graphWithUnboundEvidence());
    expect(parsed.ok && parsed.value.alerts[0]?.processes).toMatchObject([{ deviceId: FINANCE, processId: 8812 }]);
    const [plan] = (await dry(graphWithUnboundEvidence())).plans;
    expect(plan?.playbook?.name).toBe('process-memory-dump');
    expect(plan?.devices[0]?.commands[0]?.params[1]?.value).toBe(`-ProcessId 8812 -OutputName ${plan?.runId ?? ''}`);
  });

  it('keeps evidence unbound when the alert names several devices, and a memory dump refuses the device saying why', async () => {
    const second = { '@odata.type': '#microsoft.graph.security.deviceEvidence', mdeDeviceId: OTHER, deviceDnsName: 'srv' };
    const result = await dry(graphWithUnboundEvidence([second]), 'process-memory-dump');
    expect(result.plans.flatMap((p) => p.refused.map((r) => [r.deviceId, r.reason]))).toEqual([
      [FINANCE, `step 1 (RunScript): argument ProcessId from alert.process.processId: ${UNBOUND}`],
      [OTHER, `step 1 (RunScript): argument ProcessId from alert.process.processId: ${UNBOUND}`],
    ]);
    expect(result.plans.flatMap((p) => p.devices)).toEqual([]);
    expect(result.plans[0]?.reasons['process-memory-dump']).toContain(UNBOUND);
  });

  it('binds a Linux alert to its device and knows the device OS', () => {
    const parsed = parseAlerts(alertFixture('graph-alerts-v2-linux'));
    expect(parsed.ok && parsed.value.alerts[0]).toMatchObject({
      devices: [{ id: LINUX_WEB, osPlatform: 'Linux', os: 'linux' }],
      processes: [{ deviceId: LINUX_WEB, processId: 48213, folderPath: '/usr/bin', commandLine: 'bash /tmp/.cache/update.sh --quiet' }],
      files: [{ deviceId: LINUX_WEB, path: '/tmp/.cache/update.sh' }],
    });
  });
});

describe('shape detection', () => {
  it('takes the alerts of a Graph incidents page (incidents?$expand=alerts)', () => {
    const parsed = parseAlerts(alertFixture('graph-incidents-page'));
    expect(parsed.ok && parsed.value).toMatchObject({
      shape: 'incidents',
      alerts: [
        { id: 'da638700000000000007_7000000007', source: 'graph-v2', files: [{ deviceId: LINUX_WEB, path: '/tmp/.cache/update.sh' }] },
      ],
      rejected: [],
    });
  });

  it('accepts streaming records without their envelope, one or several', () => {
    const records = alertFixture('streaming-api-records').records as unknown[];
    expect(parseAlerts(records)).toMatchObject({ ok: true, value: { shape: 'streaming', alerts: [{ source: 'streaming' }] } });
    const bare = record('AlertEvidence', { AlertId: 'da-1', Title: 't', Severity: 'High', EntityType: 'Machine', DeviceId: FINANCE });
    expect(parseAlerts(bare)).toMatchObject({ ok: true, value: { alerts: [{ id: 'da-1', devices: [{ id: FINANCE }] }] } });
  });

  it.each([
    ['a legacy Graph alert', alertFixture('graph-legacy-alert'), 'unsupported shape: a legacy Microsoft Graph security alert'],
    [
      'a Graph incident without its alerts',
      { '@odata.type': '#microsoft.graph.security.incident', id: '1205', incidentWebUrl: 'https://security.microsoft.com/incidents/1205' },
      'unsupported shape: a Microsoft Graph incident without its alerts (ask for /security/incidents?$expand=alerts)',
    ],
    ['unrelated JSON', { name: 'x', items: [1, 2] }, 'unsupported shape: a JSON object with keys name, items: none of the fields'],
    [
      'a page of unrelated JSON',
      { value: [{ type: 'LiveResponse', status: 'Pending' }] },
      'unsupported shape: a collection ({"value": [...]}) of 1 item(s)',
    ],
    [
      'an API error answer',
      { error: { code: 'Forbidden', message: 'Missing application roles' } },
      'unsupported shape: an API error response',
    ],
    ['a JSON number', 42, 'unsupported shape: a JSON number, not an object'],
  ])('dead-letters %s as an unsupported shape, naming what it looked like', async (_name, body, expected) => {
    const deps = fakeDeps({ playbooks });
    const outcome = await handleAlertMessage(deps, body, delivery);
    expect(outcome.kind).toBe('dead-lettered');
    expect(deps.bus.deadLettered.map((d) => [d.queue, d.reason.reason, d.reason.description.startsWith(expected)])).toEqual([
      ['alerts', 'UnsupportedAlertShape', true],
    ]);
    expect(deps.runs.runs.size).toBe(0);
  });

  it('shows no attacker-chosen key names that are not plain identifiers', () => {
    const parsed = parseAlerts({ 'x\u202e; calc': 1, '$(rm -rf /)': 2, ok_key: 3 });
    expect(parsed.ok ? '' : parsed.errors[0]?.message).toBe(
      'unsupported shape: a JSON object with keys ok_key and 2 other(s): none of the fields of an accepted alert shape',
    );
  });
});
