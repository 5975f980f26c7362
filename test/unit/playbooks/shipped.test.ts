import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { loadPlaybooks } from '../../../shared/playbooks/loader.js';
import { libraryFilesUsed } from '../../../shared/playbooks/steps.js';
import { staticDirectory } from '../../../shared/services/intake/deviceDirectory.js';
import { dryRun, type DryRunResult } from '../../../shared/services/intake/dryRun.js';
import { sweepSchedules } from '../../../shared/services/intake/schedules.js';
import { alertFixture, FINANCE, LINUX_WEB } from '../../helpers/alerts.js';
import { fakeDeps } from '../../helpers/fakes.js';

/** From alert (or schedule) to the exact commands, for every shipped playbook, through the services a real run uses. */
const playbooks = await loadPlaybooks('playbooks');
const SQL = '2a7f0c3e9b1d4c6e8f0a2b4c6d8e0f1a3b5c7d9e';
const DC = 'dc00000000000000000000000000000000000000';
const directory = staticDirectory([
  { id: FINANCE, name: 'ws-finance-07.contoso.local', tags: ['Workstations'], osPlatform: 'Windows11' },
  { id: SQL, name: 'srv-sql-01.contoso.local', tags: ['Servers', 'Nightly-Collection'], osPlatform: 'WindowsServer2022' },
  { id: DC, name: 'dc-01.contoso.local', tags: ['Servers', 'Nightly-Collection', 'Tier0'], osPlatform: 'WindowsServer2022' },
  { id: LINUX_WEB, name: 'web-lnx-02.contoso.local', tags: ['Linux'], osPlatform: 'Ubuntu' },
]);
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

async function dry(body: unknown): Promise<DryRunResult> {
  const result = await dryRun({ playbooks, directory, clock: new ManualClock() }, body);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

describe('shipped playbooks, from trigger to commands', () => {
  it('process-memory-dump answers the Defender API example with a dump of its process', async () => {
    const [plan] = (await dry({ alert: alertFixture('defender-api-alert') })).plans;
    expect(plan?.playbook?.name).toBe('process-memory-dump');
    expect(plan?.devices[0]?.commands).toEqual([
      {
        type: 'RunScript',
        params: [
          { key: 'ScriptName', value: 'Invoke-ProcessDump.ps1' },
          { key: 'Args', value: `-ProcessId 6324 -OutputName ${plan?.runId ?? ''}` },
        ],
      },
      { type: 'GetFile', params: [{ key: 'Path', value: `C:\\ProgramData\\MdeResponder\\Out\\${plan?.runId ?? ''}.dmp` }] },
    ]);
  });

  it('process-memory-dump answers the Graph example with the process of its processEvidence', async () => {
    const [plan] = (await dry({ alert: alertFixture('graph-alerts-v2') })).plans;
    expect(plan?.playbook?.name).toBe('process-memory-dump');
    expect(plan?.devices[0]?.commands[0]?.params[1]?.value).toBe(`-ProcessId 8812 -OutputName ${plan?.runId ?? ''}`);
  });

  it('collect-alert-file answers the streaming example: the path travels encoded, GetFile takes our own copy', async () => {
    const [plan] = (await dry({ alert: alertFixture('streaming-api-records') })).plans;
    expect(plan?.playbook?.name).toBe('collect-alert-file');
    expect(plan?.devices[0]?.commands).toEqual([
      {
        type: 'RunScript',
        params: [
          { key: 'ScriptName', value: 'Copy-EvidenceFile.ps1' },
          { key: 'Args', value: `-SourcePathB64 ${b64('C:\\ProgramData\\Updater\\update.dll')} -OutputName ${plan?.runId ?? ''}` },
        ],
      },
      { type: 'GetFile', params: [{ key: 'Path', value: `C:\\ProgramData\\MdeResponder\\Out\\${plan?.runId ?? ''}.bin` }] },
    ]);
  });

  it('collect-alert-file passes the alert SHA-256 when there is one', async () => {
    const alert = alertFixture('defender-api-alert');
    const sha = 'ab'.repeat(32);
    const [plan] = (
      await dry({
        alert: { ...alert, category: 'Malware', evidence: [{ entityType: 'File', fileName: 'x.exe', filePath: 'C:\\Temp', sha256: sha }] },
      })
    ).plans;
    expect(plan?.playbook?.name).toBe('collect-alert-file');
    expect(plan?.devices[0]?.commands[0]?.params[1]?.value).toBe(
      `-SourcePathB64 ${b64('C:\\Temp\\x.exe')} -Sha256 ${sha} -OutputName ${plan?.runId ?? ''}`,
    );
  });

  it('triage-bundle answers a high-severity alert that carries no process or file evidence', async () => {
    const alert = { ...alertFixture('defender-api-alert'), category: 'LateralMovement', evidence: [] };
    const [plan] = (await dry({ alert })).plans;
    expect(plan?.playbook?.name).toBe('triage-bundle');
    expect(plan?.devices[0]?.commands.map((c) => c.params.map((p) => p.value).join(' '))).toEqual([
      `Collect-Triage.ps1 -OutputName ${plan?.runId ?? ''}`,
      `C:\\ProgramData\\MdeResponder\\Out\\${plan?.runId ?? ''}.zip`,
    ]);
  });

  it('collect-alert-file-posix answers a Linux alert: its file collected by path with bash scripts, plus a triage bundle', async () => {
    const [plan] = (await dry({ alert: alertFixture('graph-alerts-v2-linux') })).plans;
    const run = plan?.runId ?? '';
    expect(plan?.playbook?.name).toBe('collect-alert-file-posix');
    expect(plan?.reasons['process-memory-dump']).toContain('none[0] holds');
    expect(plan?.devices[0]?.commands.map((c) => c.params.map((p) => `${p.key}=${p.value}`).join(' '))).toEqual([
      `ScriptName=collect-evidence-file.sh Args=-SourcePathB64 ${b64('/tmp/.cache/update.sh')} -Sha256 ${'4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b'} -OutputName ${run}`,
      `ScriptName=collect-triage.sh Args=-OutputName ${run}`,
      `Path=/var/tmp/mde-responder/out/${run}.bin`,
      `Path=/var/tmp/mde-responder/out/${run}-triage.tar.gz`,
    ]);
  });

  it('a Windows playbook named for a Linux device refuses it: its script is PowerShell', async () => {
    const [plan] = (await dry({ alert: alertFixture('graph-alerts-v2-linux'), playbook: 'collect-alert-file' })).plans;
    expect(plan?.refused).toEqual([
      { deviceId: LINUX_WEB, reason: 'step 1 (RunScript): Copy-EvidenceFile.ps1 is a PowerShell script; the device runs linux' },
    ]);
  });

  it('collect-event-logs selects the servers by tag and refuses the Tier0 one', async () => {
    const [plan] = (await dry({ playbook: 'collect-event-logs' })).plans;
    expect(plan?.devices.map((d) => [d.deviceId, d.commands[0]?.params[1]?.value])).toEqual([[SQL, '-Hours 24 -OutputName m-dryrun']]);
    expect(plan?.refused).toEqual([{ deviceId: DC, reason: 'device carries excluded tag Tier0' }]);
  });

  it('collect-hosts-file runs nightly on the tagged servers, Tier0 excluded', async () => {
    const deps = fakeDeps({ playbooks });
    deps.clock.set(Date.UTC(2026, 10, 21, 2, 0, 30));
    deps.defender.onMachines = () =>
      Promise.resolve([
        { id: SQL, computerDnsName: 'srv-sql-01', machineTags: ['Nightly-Collection'] },
        { id: DC, computerDnsName: 'dc-01', machineTags: ['Nightly-Collection', 'Tier0'] },
        { id: FINANCE, computerDnsName: 'ws', machineTags: ['Workstations'] },
      ]);
    const swept = await sweepSchedules(deps, 60_000);
    expect(swept.started).toMatchObject([{ playbook: 'collect-hosts-file', firedAtMs: Date.UTC(2026, 10, 21, 2, 0, 0), devices: 1 }]);
    const view = await deps.runs.getRun(swept.started[0]?.runId ?? '');
    expect(view?.actions.map((a) => [a.deviceId, a.commands])).toEqual([
      [SQL, [{ type: 'GetFile', params: [{ key: 'Path', value: 'C:\\Windows\\System32\\drivers\\etc\\hosts' }] }]],
    ]);
    expect(view?.actions[0]?.deadlineMs).toBe(deps.clock.nowMs() + 12 * 3_600_000);
    expect(view?.run.refused).toEqual([{ deviceId: DC, reason: 'device carries excluded tag Tier0' }]);
  });
});

describe('the library the shipped playbooks call', () => {
  it.each(playbooks.flatMap((p) => libraryFilesUsed(p.playbook.steps).map((script) => [p.playbook.name, script] as const)))(
    '%s: %s is in library/ and declares every argument the playbook passes',
    (name, script) => {
      const text = readFileSync(`library/${script}`, 'utf8');
      const declared = [...text.matchAll(/^\s*\.PARAMETER\s+(\w+)/gm)].map((m) => m[1]);
      const passed =
        playbooks
          .find((p) => p.playbook.name === name)
          ?.playbook.steps.flatMap((s) => (s.type === 'RunScript' && s.script === script ? s.args.map((a) => a.name) : [])) ?? [];
      expect(declared).toEqual(expect.arrayContaining(passed));
      for (const arg of passed) expect(text).toMatch(new RegExp(`\\$${arg}\\b`));
    },
  );
});
