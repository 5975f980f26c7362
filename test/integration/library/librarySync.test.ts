import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefenderClient } from '../../../shared/defender/client.js';
import { DEFENDER_SCOPE } from '../../../shared/defender/port.js';
import { readLocalLibrary } from '../../../shared/library/localLibrary.js';
import { syncLibrary } from '../../../shared/library/sync.js';
import { SimulatorCredential } from '../../../simulator/index.js';
import { jsonOf, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

const MAX = 64 * 1024;

describe('npm run library:sync against the simulator', () => {
  let t: TestSimulator;
  let client: DefenderClient;
  beforeEach(async () => {
    t = await startTestSimulator({ settings: { libraryMaxBytes: MAX } });
    client = new DefenderClient({
      baseUrl: t.sim.url,
      credential: new SimulatorCredential({ clock: t.clock }),
      scope: DEFENDER_SCOPE,
      requestTimeoutMs: 10_000,
      defaultRetryAfterMs: 1_000,
      linkPolicy: { hostSuffixes: [], allowHttpLoopback: true },
    });
  });
  afterEach(async () => {
    await t.close();
  });

  const library = async () =>
    (
      await jsonOf<{ value: { fileName: string; sha256: string; description: string; parametersDescription: string }[] }>(
        await t.call('/api/libraryfiles'),
      )
    ).value;

  it('uploads the shipped scripts whose SHA-256 differs, then finds nothing to do', async () => {
    const local = await readLocalLibrary('library');
    const first = await syncLibrary(client, local, { maxBytes: MAX, prune: false, dryRun: false });
    const second = await syncLibrary(client, local, { maxBytes: MAX, prune: false, dryRun: false });

    expect(
      first.items
        .filter((i) => i.action === 'upload-changed')
        .map((i) => i.fileName)
        .sort(),
    ).toEqual([
      'Collect-Triage.ps1',
      'Copy-EvidenceFile.ps1',
      'Export-EventLogs.ps1',
      'Invoke-ProcessDump.ps1',
      'collect-evidence-file.sh',
      'collect-triage.sh',
    ]);
    expect(second.items.every((i) => i.action === 'unchanged')).toBe(true);
    const dump = (await library()).find((f) => f.fileName === 'Invoke-ProcessDump.ps1');
    expect(dump).toMatchObject({
      sha256: local.find((f) => f.fileName === 'Invoke-ProcessDump.ps1')?.sha256,
      parametersDescription: '-ProcessId -OutputName',
    });
    expect(dump?.description).toMatch(/^Writes a full memory dump/);
  });

  it('uploads a new file, refuses one over the size limit with a clear message, and prunes only when asked', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lib-'));
    writeFileSync(path.join(dir, 'New-Thing.ps1'), '<#\n.SYNOPSIS\nDoes a thing.\n#>\nWrite-Output 1\n');
    writeFileSync(path.join(dir, 'Too-Big.ps1'), Buffer.alloc(MAX + 1, 0x41));
    const local = await readLocalLibrary(dir);

    const planned = await syncLibrary(client, local, { maxBytes: MAX, prune: true, dryRun: true });
    const kept = await syncLibrary(client, local, { maxBytes: MAX, prune: false, dryRun: false });
    const pruned = await syncLibrary(client, local, { maxBytes: MAX, prune: true, dryRun: false });

    expect(planned.items.find((i) => i.fileName === 'Too-Big.ps1')).toEqual({
      fileName: 'Too-Big.ps1',
      action: 'refused',
      detail: '0.1 MiB is over the library upload limit of 0.1 MiB; not uploaded',
    });
    expect(planned.ok).toBe(false);
    expect(kept.items.find((i) => i.fileName === 'New-Thing.ps1')?.action).toBe('upload-new');
    expect(kept.items.filter((i) => i.action === 'remote-only').map((i) => i.fileName)).toContain('Invoke-ProcessDump.ps1');
    expect(pruned.items.filter((i) => i.action === 'delete')).toHaveLength(6);
    expect((await library()).map((f) => f.fileName)).toEqual(['New-Thing.ps1']);
  });
});
