import { describe, expect, it } from 'vitest';
import { buildManifest, checkManifest } from '../../../shared/evidence/manifest.js';
import { deviceActionSchema, runSchema, type EvidenceItem, type RunView } from '../../../shared/runs/model.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const SHA = (c: string): string => c.repeat(64);
const DEVICE = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';

function view(trigger: unknown, evidence: EvidenceItem[]): RunView {
  return {
    run: runSchema.parse({
      runId: 'a-1',
      createdMs: T0,
      trigger,
      playbook: { name: 'process-memory-dump', version: '1.0.0', contentSha256: SHA('c') },
      deviceIds: [DEVICE],
    }),
    actions: [
      deviceActionSchema.parse({
        runId: 'a-1',
        deviceId: DEVICE,
        deviceName: 'ws-finance-07.contoso.local',
        comment: 'corr',
        state: 'ended',
        commands: [
          { type: 'RunScript', params: [{ key: 'ScriptName', value: 'Dump.ps1' }] },
          { type: 'GetFile', params: [{ key: 'Path', value: 'C:\\x.dmp' }] },
        ],
        machineActionId: 'act-1',
        actionStatus: 'Succeeded',
        createdMs: T0,
        updatedMs: T0,
        submittedMs: T0 + 1_000,
        endedMs: T0 + 60_000,
        commandOutcomes: [
          {
            index: 1,
            type: 'GetFile',
            commandStatus: 'Completed',
            startTime: '2026-11-20T09:00:30.1234567Z',
            endTime: '2026-11-20T09:00:59.9999999',
          },
        ],
      }),
    ],
    evidence,
  };
}

const item = (commandIndex: number, overrides: Partial<EvidenceItem> = {}): EvidenceItem => ({
  runId: 'a-1',
  deviceId: DEVICE,
  machineActionId: 'act-1',
  commandIndex,
  commandType: commandIndex === 1 ? 'GetFile' : 'RunScript',
  source: 'C:\\x.dmp',
  blobName: `a-1/${DEVICE}/act-1/${commandIndex}-x`,
  sizeBytes: 10,
  sha256: SHA('a'),
  collectorVersion: 'responder@1.2.3',
  collectedMs: T0 + 90_000,
  ...overrides,
});

describe('chain-of-custody manifest', () => {
  it('lists each item with its trigger, playbook, device, action, command times, size, both hashes and collector', () => {
    const gz = item(1, { contentEncoding: 'gzip', contentType: 'application/gzip', originalSha256: SHA('b'), originalSizeBytes: 99 });
    const manifest = buildManifest(
      view({ kind: 'alert', alertId: 'da1', alertTitle: 'LSASS' }, [gz]),
      undefined,
      'responder@9',
      T0 + 100_000,
    );
    const checked = checkManifest(manifest);
    expect(checked.ok).toBe(true);
    expect(manifest).toMatchObject({
      schema: 'mde-responder/manifest@2',
      runId: 'a-1',
      alertId: 'da1',
      trigger: { kind: 'alert', alertId: 'da1' },
      playbook: { name: 'process-memory-dump', contentSha256: SHA('c') },
      generatorVersion: 'responder@9',
    });
    expect(manifest.items).toEqual([
      {
        device: { id: DEVICE, name: 'ws-finance-07.contoso.local' },
        machineActionId: 'act-1',
        action: { status: 'Succeeded', submittedUtc: '2026-11-20T09:00:01.000Z', endedUtc: '2026-11-20T09:01:00.000Z' },
        command: {
          index: 1,
          type: 'GetFile',
          source: 'C:\\x.dmp',
          startedUtc: '2026-11-20T09:00:30.123Z',
          endedUtc: '2026-11-20T09:00:59.999Z',
        },
        blob: { name: gz.blobName, sizeBytes: 10, sha256: SHA('a'), contentType: 'application/gzip', contentEncoding: 'gzip' },
        original: { sha256: SHA('b'), sizeBytes: 99 },
        transcript: undefined,
        collectedUtc: '2026-11-20T09:01:30.000Z',
        collectorVersion: 'responder@1.2.3',
      },
    ]);
  });

  it.each([
    [
      { kind: 'manual', requestedBy: 'soc.analyst@contoso.com', reason: 'triage' },
      { kind: 'manual', requestedBy: 'soc.analyst@contoso.com' },
    ],
    [
      { kind: 'schedule', playbook: 'collect-hosts-file', firedAtMs: T0 },
      { kind: 'schedule', firedUtc: '2026-11-20T09:00:00.000Z' },
    ],
  ])('records a %o trigger, with no alert id', (trigger, expected) => {
    const manifest = buildManifest(view(trigger, [item(0)]), undefined, 'v', T0);
    expect(checkManifest(manifest).ok).toBe(true);
    expect(manifest.trigger).toMatchObject(expected);
    expect(manifest.alertId).toBeNull();
  });

  it('keeps items an earlier manifest listed that the run view lacks', () => {
    const previous = buildManifest(view({ kind: 'alert', alertId: 'da1' }, [item(0)]), undefined, 'v', T0);
    const next = buildManifest(view({ kind: 'alert', alertId: 'da1' }, [item(1)]), previous, 'v', T0 + 1);
    expect(next.items.map((i) => i.command.index)).toEqual([0, 1]);
  });

  it('fails validation, naming the field, for an item whose hash is not a SHA-256', () => {
    const manifest = buildManifest(view({ kind: 'alert', alertId: 'da1' }, [item(0, { sha256: 'not-a-hash' })]), undefined, 'v', T0);
    const checked = checkManifest(manifest);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors[0]?.path).toBe('items.0.blob.sha256');
  });
});
