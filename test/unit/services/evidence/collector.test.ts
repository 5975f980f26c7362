import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../shared/clock.js';
import { loadConfig } from '../../../../shared/config.js';
import { PermanentError } from '../../../../shared/errors.js';
import { silentLogger } from '../../../../shared/log.js';
import { deviceActionSchema, runSchema } from '../../../../shared/runs/model.js';
import { handleCollectMessage } from '../../../../shared/services/evidence/collector.js';
import type { CollectorDeps } from '../../../../shared/services/evidence/deps.js';
import { toRunStatus } from '../../../../shared/services/status/runStatus.js';
import { DEVICE, MemoryEvidenceStore, MemoryRunStore, RecordingBus, ScriptedDefender } from '../../../helpers/fakes.js';
import { recordedMetrics } from '../../../helpers/recordedMetrics.js';

const delivery = { messageId: 'm1', deliveryCount: 1 };
const message = { runId: 'a-1', deviceId: DEVICE, machineActionId: 'act-1', commandIndex: 0 };

/** The collector's dependencies with fakes, and a run whose one RunScript completed. */
async function collecting() {
  const clock = new ManualClock();
  const deps = {
    config: loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' }),
    clock,
    logger: silentLogger,
    bus: new RecordingBus(),
    runs: new MemoryRunStore(),
    evidence: new MemoryEvidenceStore(),
    defender: new ScriptedDefender(),
    collectorVersion: 'responder@test',
  } satisfies CollectorDeps;
  await deps.runs.createRun(
    runSchema.parse({
      runId: 'a-1',
      createdMs: clock.nowMs(),
      trigger: { kind: 'manual', requestedBy: 'soc@contoso.com' },
      playbook: { name: 'p', version: '1', contentSha256: 'c'.repeat(64) },
      deviceIds: [DEVICE],
    }),
    [
      deviceActionSchema.parse({
        runId: 'a-1',
        deviceId: DEVICE,
        comment: 'c',
        state: 'ended',
        machineActionId: 'act-1',
        actionStatus: 'Succeeded',
        createdMs: 0,
        updatedMs: 0,
        commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'Collect.ps1' }] }],
        collectIndexes: [0],
        commandOutcomes: [{ index: 0, type: 'RunScript', commandStatus: 'Completed' }],
      }),
    ],
  );
  return deps;
}

const transcript = Buffer.from(
  JSON.stringify({ script_name: 'Collect.ps1', exit_code: 1, script_output: 'found 3 files', script_errors: 'access denied to 1' }),
);

describe('collecting a result', () => {
  it('summarises a RunScript transcript in the run status: exit code and bounded previews', async () => {
    const deps = await collecting();
    deps.defender.onDownload = () => Promise.resolve({ body: Readable.from([transcript]), contentLength: transcript.length });
    expect(await handleCollectMessage(deps, message, delivery)).toBe('collected');
    const view = await deps.runs.getRun('a-1');
    expect(view && toRunStatus(view).devices[0]?.evidence[0]).toMatchObject({
      commandType: 'RunScript',
      transcript: { exitCode: 1, outputPreview: 'found 3 files', errorsPreview: 'access denied to 1' },
    });
    const blob = [...deps.evidence.blobs.values()][0];
    expect(blob?.bytes).toEqual(transcript);
    expect(blob?.tags).toMatchObject({ runId: 'a-1', deviceId: DEVICE, machineActionId: 'act-1' });
    expect(blob?.metadata).toMatchObject({ trigger: 'manual', requestedBy: 'soc@contoso.com', source: 'Collect.ps1' });
  });

  it('counts the bytes of a stored evidence file and records its transfer throughput', async () => {
    const recorded = recordedMetrics();
    const deps = { ...(await collecting()), metrics: recorded.metrics };
    deps.defender.onDownload = () => {
      deps.clock.advance(2_000); // the transfer takes 2 s on the clock
      return Promise.resolve({ body: Readable.from([transcript]), contentLength: transcript.length });
    };

    expect(await handleCollectMessage(deps, message, delivery)).toBe('collected');

    const points = await recorded.collect();
    expect(points.find((p) => p.name === 'responder.evidence.bytes')?.value).toBe(transcript.length);
    expect(points.find((p) => p.name === 'responder.evidence.throughput')?.histogram).toEqual({
      count: 1,
      sum: transcript.length / 2,
      min: transcript.length / 2,
      max: transcript.length / 2,
    });
  });

  it('commits nothing from a body shorter than its Content-Length and retries with a fresh link', async () => {
    const deps = await collecting();
    deps.defender.onDownload = () =>
      Promise.resolve({ body: Readable.from([transcript.subarray(0, 10)]), contentLength: transcript.length });
    expect(await handleCollectMessage(deps, message, delivery)).toBe('deferred');
    expect(deps.evidence.blobs.size).toBe(0);
    expect(deps.bus.take('collect')[0]?.body).toMatchObject({ attempt: 1 });
  });

  it('dead-letters a permanent failure with its reason and queues no retry', async () => {
    const deps = await collecting();
    deps.defender.onDownload = () => Promise.reject(new PermanentError('result link refused: a private, link-local or reserved address'));
    expect(await handleCollectMessage(deps, message, delivery)).toBe('dead-lettered');
    expect(deps.bus.deadLettered[0]?.reason).toMatchObject({
      reason: 'CollectionFailed',
      description: expect.stringMatching(/private/) as string,
    });
    expect(deps.bus.take('collect')).toEqual([]);
  });

  it('writes a missing manifest for a redelivered message, without downloading again', async () => {
    const deps = await collecting();
    deps.defender.onDownload = () => Promise.resolve({ body: Readable.from([transcript]) });
    await handleCollectMessage(deps, message, delivery);
    deps.evidence.blobs.delete('a-1/manifest.json');
    expect(await handleCollectMessage(deps, message, { ...delivery, deliveryCount: 2 })).toBe('duplicate');
    expect(deps.evidence.blobs.has('a-1/manifest.json')).toBe(true);
    expect(deps.defender.calls.filter((c) => c.method === 'downloadResult')).toHaveLength(1);
  });

  it('reports a command that no longer matches the run as a duplicate, touching nothing', async () => {
    const deps = await collecting();
    expect(await handleCollectMessage(deps, { ...message, machineActionId: 'another' }, delivery)).toBe('duplicate');
    expect(deps.defender.calls).toEqual([]);
  });
});
