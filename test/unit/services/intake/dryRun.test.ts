import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../shared/clock.js';
import { loadPlaybooks } from '../../../../shared/playbooks/loader.js';
import { staticDirectory } from '../../../../shared/services/intake/deviceDirectory.js';
import { dryRun } from '../../../../shared/services/intake/dryRun.js';
import { alertFixture, FINANCE } from '../../../helpers/alerts.js';
import { fakeDeps } from '../../../helpers/fakes.js';
import { STREAMED_ID, streamedInfo, streamedMachine, streamedProcess } from '../../../helpers/streamedAlert.js';

const playbooks = await loadPlaybooks('playbooks');
const deps = {
  playbooks,
  directory: staticDirectory([{ id: FINANCE, tags: ['Workstations'], osPlatform: 'Windows11' }]),
  clock: new ManualClock(),
};
const errorsOf = async (body: unknown) => {
  const result = await dryRun(deps, body);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
};

describe('a dry run', () => {
  it('shows a named playbook that would not answer the alert, with the commands it would send and why it does not answer', async () => {
    const result = await dryRun(deps, { playbook: 'triage-bundle', alert: alertFixture('defender-api-alert') });
    expect(result.ok && result.value.plans[0]).toMatchObject({
      playbook: { name: 'triage-bundle', file: 'triage-bundle.yaml' },
      wouldAnswer: false,
      reasons: { 'triage-bundle': [], 'process-memory-dump': [] },
      devices: [{ deviceId: FINANCE, commands: [{ type: 'RunScript' }, { type: 'GetFile' }] }],
    });
  });

  it('shows the refusal when an alert value fails its validator', async () => {
    const alert = {
      ...alertFixture('defender-api-alert'),
      evidence: [{ entityType: 'Process', processId: null, fileName: 'a.exe"; calc' }],
    };
    const result = await dryRun(deps, { alert });
    expect(result.ok && result.value.plans[0]?.refused[0]?.reason).toMatch(
      /^step 1 \(RunScript\): argument ProcessId from alert\.process\.processId: expected a process id/,
    );
  });

  it.each([
    [{}, 'playbook: give an alert, or a playbook'],
    [{ playbook: 'nope' }, 'playbook: no playbook named "nope"'],
    [{ playbook: 'process-memory-dump', devices: [FINANCE] }, 'alert: playbook "process-memory-dump" takes values from an alert'],
    [{ playbook: 'triage-bundle' }, 'devices: required: playbook "triage-bundle" has no where'],
    [{ alert: { records: [] } }, 'alert.records: at least one record'],
    [{ playbook: 'triage-bundle', devices: ['../x'] }, 'devices.0: a 40-hex-digit Defender device id'],
  ])('refuses %j, naming the field', async (body, expected) => {
    expect((await errorsOf(body)).join('; ')).toContain(expected);
  });

  it('assembles several messages of streamed records, in any order, into one alert and renders its memory dump', async () => {
    const messages = [{ records: [streamedProcess()] }, { records: [streamedMachine()] }, { records: [streamedInfo()] }];
    const result = await dryRun(deps, { alert: messages });
    expect(result.ok && result.value.alerts.map((a) => [a.id, a.devices.map((d) => d.id)])).toEqual([[STREAMED_ID, [FINANCE]]]);
    const plan = result.ok ? result.value.plans[0] : undefined;
    expect(plan).toMatchObject({ playbook: { name: 'process-memory-dump' }, wouldAnswer: true });
    expect(plan?.devices[0]?.commands[0]?.params).toContainEqual({ key: 'Args', value: `-ProcessId 6324 -OutputName ${plan?.runId}` });
    expect(result.ok && result.value.note).toMatch(/assembled by AlertId in process/);
  });

  it('renders a bare streaming record, and shows what could not be read from it', async () => {
    const result = await dryRun(deps, {
      playbook: 'process-memory-dump',
      alert: streamedProcess(STREAMED_ID, { ProcessId: '6324; calc' }),
    });
    expect(result.ok && result.value.alerts[0]?.problems).toEqual(['Process record: AdditionalFields.ProcessId is not a process id']);
    expect(result.ok && result.value.plans[0]?.refused[0]?.reason).toMatch(
      /ProcessId from alert\.process\.processId: expected a process id/,
    );
  });

  it('records, queues and submits nothing', async () => {
    const services = fakeDeps({ playbooks });
    await dryRun({ playbooks, directory: staticDirectory([]), clock: services.clock }, { alert: alertFixture('defender-api-alert') });
    expect(services.runs.runs.size + services.bus.sent.length + services.defender.calls.length).toBe(0);
  });
});
