import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../shared/clock.js';
import { checkManifest } from '../../../../shared/evidence/manifest.js';
import type { JsonWriteCondition } from '../../../../shared/evidence/store.js';
import { silentLogger } from '../../../../shared/log.js';
import { deviceActionSchema, runSchema, type EvidenceItem } from '../../../../shared/runs/model.js';
import { writeManifest } from '../../../../shared/services/evidence/manifestWriter.js';
import { MemoryEvidenceStore, MemoryRunStore } from '../../../helpers/fakes.js';

const DEVICE = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';

async function runWithTwoItems() {
  const runs = new MemoryRunStore();
  const clock = new ManualClock();
  await runs.createRun(
    runSchema.parse({
      runId: 'a-1',
      createdMs: clock.nowMs(),
      trigger: { kind: 'alert', alertId: 'da1' },
      playbook: { name: 'p', version: '1', contentSha256: 'c'.repeat(64) },
      deviceIds: [DEVICE],
    }),
    [
      deviceActionSchema.parse({
        runId: 'a-1',
        deviceId: DEVICE,
        commands: [],
        comment: 'c',
        state: 'ended',
        machineActionId: 'act',
        createdMs: 0,
        updatedMs: 0,
      }),
    ],
  );
  const item = (commandIndex: number): EvidenceItem => ({
    runId: 'a-1',
    deviceId: DEVICE,
    machineActionId: 'act',
    commandIndex,
    commandType: 'GetFile',
    source: 's',
    blobName: `b${commandIndex}`,
    sizeBytes: 1,
    sha256: 'a'.repeat(64),
    collectedMs: clock.nowMs(),
  });
  return { runs, clock, item };
}

/** A store whose first conditional write waits until `beforeFirstWrite` has run: the interleaving that loses updates without ETags. */
class InterleavingStore extends MemoryEvidenceStore {
  beforeFirstWrite?: () => Promise<void>;
  outcomes: string[] = [];
  override async writeJson(name: string, value: unknown, condition?: JsonWriteCondition): Promise<'written' | 'conflict'> {
    const hook = this.beforeFirstWrite;
    this.beforeFirstWrite = undefined;
    if (hook) await hook();
    const outcome = await super.writeJson(name, value, condition);
    this.outcomes.push(outcome);
    return outcome;
  }
}

describe('writing the run manifest', () => {
  it('loses no item when two collectors write it at once', async () => {
    const { runs, clock, item } = await runWithTwoItems();
    const evidence = new InterleavingStore();
    const deps = { runs, evidence, clock, logger: silentLogger, collectorVersion: 'v' };
    // A recorded item 0 and read the run; before A writes, B records item 1 and writes its manifest.
    await runs.putEvidence(item(0));
    evidence.beforeFirstWrite = async () => {
      await runs.putEvidence(item(1));
      await writeManifest(deps, 'a-1');
    };
    await writeManifest(deps, 'a-1');
    expect(evidence.outcomes).toEqual(['written', 'conflict', 'written']);
    const stored = checkManifest((await evidence.readJson('a-1/manifest.json'))?.value);
    expect(stored.ok && stored.value.items.map((i) => i.command.index)).toEqual([0, 1]);
  });

  it('rebuilds a stored manifest that no longer matches the schema from the run store', async () => {
    const { runs, clock, item } = await runWithTwoItems();
    const evidence = new MemoryEvidenceStore();
    await evidence.writeJson('a-1/manifest.json', { schema: 'mde-responder/manifest@1', items: [{ odd: true }] });
    await runs.putEvidence(item(0));
    await writeManifest({ runs, evidence, clock, logger: silentLogger, collectorVersion: 'v' }, 'a-1');
    const stored = checkManifest((await evidence.readJson('a-1/manifest.json'))?.value);
    expect(stored.ok && stored.value.items).toHaveLength(1);
  });

  it('writes nothing that fails the schema', async () => {
    const { runs, clock, item } = await runWithTwoItems();
    const evidence = new MemoryEvidenceStore();
    await runs.putEvidence({ ...item(0), sha256: 'not a hash' });
    await expect(writeManifest({ runs, evidence, clock, logger: silentLogger, collectorVersion: 'v' }, 'a-1')).rejects.toThrow(
      /fails its schema .*items\.0\.blob\.sha256/,
    );
    expect(await evidence.readJson('a-1/manifest.json')).toBeUndefined();
  });
});
