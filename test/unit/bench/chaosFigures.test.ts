import { describe, expect, it } from 'vitest';
import { chaosFigures, chaosGoals, type ChaosRecords } from '../../../bench/chaos/figures.js';
import type { RunStatus } from '../../../shared/services/status/runStatus.js';

const device = 'b000000000000000000000000000000000000001';

function run(runId: string, alertId: string, phase: RunStatus['phase'], storedIndexes: number[], actionId = 'act-1'): RunStatus {
  return {
    runId,
    phase,
    trigger: { kind: 'alert', alertId, alertTitle: 't' },
    playbook: { name: 'chaos-alert', version: '1.0.0', sha256: 'x' },
    refused: [],
    devices: [
      {
        deviceId: device,
        state: 'ended',
        actionId,
        commands: [
          { type: 'RunScript', params: [{ key: 'ScriptName', value: 'Chaos-Triage.ps1' }] },
          { type: 'GetFile', params: [{ key: 'Path', value: 'C:\\out.bin' }] },
        ],
        commandOutcomes: [],
        evidence: storedIndexes.map((commandIndex) => ({
          commandIndex,
          commandType: 'x',
          blobName: `b${commandIndex}`,
          sizeBytes: 1,
          sha256: 'h',
        })),
        evidencePending: [],
        evidenceFailed: [],
      },
    ],
  } as unknown as RunStatus;
}

const action = (id: string, runId: string, status = 'Succeeded') => ({
  id,
  machineId: device,
  status,
  requestorComment: `mde-responder corr=${runId}.${device.slice(0, 12)} playbook=chaos-alert`,
});

const healthy: ChaosRecords = {
  alerts: [{ alertId: 'a1', messageId: 'm1' }],
  runs: [run('a-1', 'a1', 'ended', [0, 1])],
  deadLetters: [],
  actions: [action('act-1', 'a-1'), { id: 'other', machineId: device, status: 'Succeeded', requestorComment: null }],
  blobs: [{ runId: 'a-1', deviceId: device, commandIndex: 1, matchesSource: true }],
  calls: 200,
  throttled: 2,
  logLines: ['{"level":"info","message":"run started"}'],
  linkHost: '127.0.0.1:4711',
};

describe('the fault suite figures', () => {
  it('meets every goal when each alert has one ended run, each intent one action, everything collected', () => {
    const goals = chaosGoals(chaosFigures(healthy));
    expect(goals.filter((g) => !g.met)).toEqual([]);
  });

  it('counts a second Defender action for one intent, and the uncollected results of the one not followed', () => {
    const figures = chaosFigures({ ...healthy, actions: [...healthy.actions, action('act-2', 'a-1')] });
    expect(figures.maxActionsPerIntent).toBe(2);
    expect(figures.completedNotCollected).toEqual([expect.stringContaining('action act-2')]);
  });

  it('counts a completed action whose results are not all stored', () => {
    expect(chaosFigures({ ...healthy, runs: [run('a-1', 'a1', 'ended', [0])] }).completedNotCollected).toHaveLength(1);
  });

  it('finds an alert without an outcome while its run has not ended, and one with two outcomes', () => {
    expect(chaosFigures({ ...healthy, runs: [run('a-1', 'a1', 'collecting', [0, 1])] }).alertsWithoutOutcome).toEqual(['a1']);
    const deadLetter = { queue: 'alerts', originalMessageId: 'm1' } as ChaosRecords['deadLetters'][number];
    expect(chaosFigures({ ...healthy, deadLetters: [deadLetter] }).alertsWithSeveralOutcomes).toEqual(['a1']);
  });

  it('finds secrets and result links in log lines, by what gave them away', () => {
    const logLines = ['x sig=abc', 'Authorization: Bearer eyJ', 'AccountKey=k', 'http://127.0.0.1:4711/results/x', 'fine'];
    expect(chaosFigures({ ...healthy, logLines }).secretsInLogs).toEqual({
      'sig=': 1,
      'Bearer ': 1,
      'AccountKey=': 1,
      'result link host': 1,
    });
  });

  it('misses the 429 goal above 1% of calls and the blob goal on one mismatch', () => {
    const goals = chaosGoals(
      chaosFigures({ ...healthy, throttled: 3, blobs: [{ runId: 'a-1', deviceId: device, commandIndex: 1, matchesSource: false }] }),
    );
    expect(goals.filter((g) => !g.met).map((g) => g.name)).toEqual([
      'blobs whose SHA-256 differs from the source',
      'share of Defender calls answered 429',
    ]);
  });
});
