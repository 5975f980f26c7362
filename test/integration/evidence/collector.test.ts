import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { recordEndedAction } from '../../helpers/recordedRun.js';
import { SimulatorCredential, type FleetInput } from '../../../simulator/index.js';
import { BlobEvidenceStore } from '../../../shared/azure/blobEvidenceStore.js';
import { MINUTE_MS } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import { DefenderClient } from '../../../shared/defender/client.js';
import { DEFENDER_SCOPE } from '../../../shared/defender/port.js';
import type { LiveResponseCommand } from '../../../shared/defender/types.js';
import { checkManifest } from '../../../shared/evidence/manifest.js';
import { handleCollectMessage } from '../../../shared/services/evidence/collector.js';
import type { CollectorDeps } from '../../../shared/services/evidence/deps.js';
import { MemoryRunStore, RecordingBus } from '../../helpers/fakes.js';
import { faultyTransport, recordingLogger, type DownloadFault } from '../../helpers/faultyTransport.js';
import { startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

/**
 * The collector through its real adapters: the Defender client downloading
 * result links from the simulator, and the blob evidence store staging
 * blocks into Azurite. Transport faults (a connection cut mid-body, a body
 * cut short, a clock jump past a link's expiry) are injected on the client's
 * side of the real simulator.
 */
const DEVICE_ID = 'e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1';
const BIG = 'C:\\Evidence\\memory.dmp';
const BIG_BYTES = 20 * 1024 * 1024 + 4321;
const ZEROS = 'C:\\Evidence\\zeros.bin';
const BLOCK_BYTES = 1024 * 1024;
const delivery = { messageId: 'm', deliveryCount: 1 };

const FLEET: FleetInput = {
  name: 'evidence-tests',
  library: [{ fileName: 'Collect.ps1', content: 'Write-Output done' }],
  scriptDefaults: { 'Collect.ps1': { durationMs: 1_000, exitCode: 2, output: 'collected\u001b[2J 3 files', errors: 'one warning' } },
  devices: [
    {
      id: DEVICE_ID,
      computerDnsName: 'ws-evidence-01.contoso.local',
      files: {
        [BIG]: { generator: { seed: 'evidence-tests', sizeBytes: BIG_BYTES } },
        [ZEROS]: { content: 'A'.repeat(32 * 1024 * 1024) },
        'C:\\a.txt': { content: 'a' },
        'C:\\b.txt': { content: 'bb' },
        'C:\\c.txt': { content: 'ccc' },
      },
    },
  ],
};

let azurite: RunningAzurite;
let service: BlobServiceClient;
let t: TestSimulator;
let containerCount = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  t = await startTestSimulator({ fleet: FLEET, settings: { gzipLevel: 9 } });
});
afterAll(async () => {
  await t?.close();
  await azurite?.stop();
});

interface Harness {
  deps: CollectorDeps & { bus: RecordingBus; runs: MemoryRunStore };
  container: ContainerClient;
  lines: string[];
  transport: ReturnType<typeof faultyTransport>;
}

async function harness(faults: DownloadFault[] = [], settings: Record<string, string> = {}): Promise<Harness> {
  containerCount += 1;
  const container = service.getContainerClient(`collect-${containerCount}`);
  const evidence = new BlobEvidenceStore(container, { blockSizeBytes: BLOCK_BYTES, maxConcurrency: 3 });
  await evidence.ensureContainer();
  const transport = faultyTransport(faults);
  const defender = new DefenderClient({
    baseUrl: t.sim.url,
    credential: new SimulatorCredential({ clock: t.clock }),
    scope: DEFENDER_SCOPE,
    requestTimeoutMs: 10_000,
    defaultRetryAfterMs: 1_000,
    linkTransport: transport,
    linkPolicy: { hostSuffixes: ['.blob.core.windows.net'], allowHttpLoopback: true },
  });
  const { logger, lines } = recordingLogger();
  const config = loadConfig({ STORAGE_CONNECTION_STRING: azurite.connectionString, BUS_KIND: 'storage-queues', ...settings });
  const deps = {
    config,
    clock: t.clock,
    logger,
    bus: new RecordingBus(),
    runs: new MemoryRunStore(),
    evidence,
    defender,
    collectorVersion: 'responder@test',
  };
  return { deps, container, lines, transport };
}

let runCount = 0;
/** Runs `commands` on the device in the simulator to completion and records the run; returns its collect messages. */
async function ranAndRecorded(h: Harness, commands: LiveResponseCommand[], trigger?: { kind: 'alert'; alertId: string }) {
  const res = await t.runLiveResponse(DEVICE_ID, commands);
  const { id } = (await res.json()) as { id: string };
  t.clock.advance(10 * MINUTE_MS);
  runCount += 1;
  const messages = await recordEndedAction(h.deps.runs, h.deps.defender, {
    runId: `a-run${runCount}`,
    machineActionId: id,
    deviceId: DEVICE_ID,
    deviceName: 'ws-evidence-01.contoso.local',
    commands,
    nowMs: t.clock.nowMs(),
    ...(trigger ? { trigger } : {}),
  });
  return messages.map((m) => ({ ...m, attempt: 0 }));
}

const getFile = (path: string): LiveResponseCommand => ({ type: 'GetFile', params: [{ key: 'Path', value: path }] });
const runScript: LiveResponseCommand = { type: 'RunScript', params: [{ key: 'ScriptName', value: 'Collect.ps1' }] };
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function manifestOf(h: Harness, runId: string) {
  const json = JSON.parse((await h.container.getBlockBlobClient(`${runId}/manifest.json`).downloadToBuffer()).toString('utf8')) as unknown;
  const checked = checkManifest(json);
  if (!checked.ok) throw new Error(`manifest invalid: ${JSON.stringify(checked.errors)}`);
  return checked.value;
}

/** The retry the collector queued, as the bus would deliver it. */
function nextRetry(h: Harness): unknown {
  const [retry] = h.deps.bus.take('collect');
  if (!retry) throw new Error('no retry was queued');
  return retry.body;
}

describe('collecting evidence into blob storage', () => {
  beforeEach(() => {
    t.sim.setFaults({});
  });

  it('stores a multi-block file byte-identical, hashed, tagged and listed in a valid manifest', async () => {
    const h = await harness();
    const [message] = await ranAndRecorded(h, [getFile(BIG)], { kind: 'alert', alertId: 'da-evidence-1' });
    expect(await handleCollectMessage(h.deps, message, delivery)).toBe('collected');

    const [item] = (await h.deps.runs.getRun(message?.runId ?? ''))?.evidence ?? [];
    const source = t.sim.sourceFile(DEVICE_ID, BIG);
    expect(item?.originalSha256).toBe(source?.sha256);
    expect(item?.originalSizeBytes).toBe(BIG_BYTES);
    const blob = h.container.getBlockBlobClient(item?.blobName ?? '');
    const stored = await blob.downloadToBuffer();
    expect(sha256(stored)).toBe(item?.sha256);
    expect(stored.length).toBe(item?.sizeBytes);
    expect((await blob.getBlockList('committed')).committedBlocks?.length).toBe(Math.ceil(stored.length / BLOCK_BYTES));

    const props = await blob.getProperties();
    expect(props.metadata).toMatchObject({
      sha256: item?.sha256,
      originalsha256: source?.sha256,
      alertid: 'da-evidence-1',
      deviceid: DEVICE_ID,
      contentencoding: 'gzip',
    });
    const found: string[] = [];
    for await (const b of h.container.findBlobsByTags(
      `sha256='${item?.sha256 ?? ''}' AND alertId='da-evidence-1' AND deviceId='${DEVICE_ID}'`,
    ))
      found.push(b.name);
    expect(found).toEqual([item?.blobName]);

    const manifest = await manifestOf(h, message?.runId ?? '');
    expect(manifest.alertId).toBe('da-evidence-1');
    expect(manifest.items).toHaveLength(1);
    expect(manifest.items[0]).toMatchObject({
      blob: { sha256: item?.sha256, contentEncoding: 'gzip' },
      original: { sha256: source?.sha256 },
      collectorVersion: 'responder@test',
    });
  });

  it('replaces a link that expires mid-transfer with a fresh one and restarts cleanly', async () => {
    const h = await harness([{ afterBytes: 5 * 1024 * 1024, mode: 'reset', atCut: () => t.clock.advance(31 * MINUTE_MS) }]);
    const [message] = await ranAndRecorded(h, [getFile(BIG)]);

    expect(await handleCollectMessage(h.deps, message, delivery)).toBe('deferred');
    expect((await h.deps.runs.getRun(message?.runId ?? ''))?.evidence).toEqual([]);
    const names: string[] = [];
    for await (const b of h.container.listBlobsFlat()) names.push(b.name);
    expect(names).toEqual([]);
    // The first link has expired: the retry asks for a new one.
    const [expired] = h.transport.urls;
    expect((await fetch(expired ?? '')).status).toBe(403);

    expect(await handleCollectMessage(h.deps, nextRetry(h), delivery)).toBe('collected');
    expect(h.transport.urls).toHaveLength(2);
    expect(h.transport.urls[1]).not.toBe(expired);
    const [item] = (await h.deps.runs.getRun(message?.runId ?? ''))?.evidence ?? [];
    expect(item?.originalSha256).toBe(t.sim.sourceFile(DEVICE_ID, BIG)?.sha256);
    expect(sha256(await h.container.getBlockBlobClient(item?.blobName ?? '').downloadToBuffer())).toBe(item?.sha256);
  });

  it('answers a link already expired when the download starts (403) with a fresh link', async () => {
    const h = await harness([{ beforeRequest: () => t.clock.advance(31 * MINUTE_MS) }]);
    const [message] = await ranAndRecorded(h, [getFile('C:\\a.txt')]);
    expect(await handleCollectMessage(h.deps, message, delivery)).toBe('deferred');
    expect(await handleCollectMessage(h.deps, nextRetry(h), delivery)).toBe('collected');
    expect(h.transport.urls).toHaveLength(2);
  });

  it.each([
    ['a transcript cut short of its Content-Length', () => [runScript], 40],
    ['a gzip body that ends early', () => [getFile(BIG)], 3 * 1024 * 1024 + 5],
  ])('commits nothing from %s, then succeeds on the retry', async (_name, commands, afterBytes) => {
    const h = await harness([{ afterBytes, mode: 'end' }]);
    const [message] = await ranAndRecorded(h, commands());
    expect(await handleCollectMessage(h.deps, message, delivery)).toBe('deferred');
    const names: string[] = [];
    for await (const b of h.container.listBlobsFlat()) names.push(b.name);
    expect(names).toEqual([]);
    expect(await handleCollectMessage(h.deps, nextRetry(h), delivery)).toBe('collected');
    const [item] = (await h.deps.runs.getRun(message?.runId ?? ''))?.evidence ?? [];
    expect(sha256(await h.container.getBlockBlobClient(item?.blobName ?? '').downloadToBuffer())).toBe(item?.sha256);
  });

  it('records nothing twice when a collect message is delivered again', async () => {
    const h = await harness();
    const [message] = await ranAndRecorded(h, [getFile('C:\\a.txt')]);
    expect(await handleCollectMessage(h.deps, message, delivery)).toBe('collected');
    const before = t.sim.stats();
    expect(await handleCollectMessage(h.deps, message, { messageId: 'm', deliveryCount: 2 })).toBe('duplicate');
    expect(t.sim.stats()).toMatchObject({ downloadLinksMinted: before.downloadLinksMinted, downloadsServed: before.downloadsServed });
    expect((await h.deps.runs.getRun(message?.runId ?? ''))?.evidence).toHaveLength(1);
    expect((await manifestOf(h, message?.runId ?? '')).items).toHaveLength(1);
  });

  it('records a blob committed by a collector that stopped before recording it, without downloading again', async () => {
    const h = await harness();
    const [message] = await ranAndRecorded(h, [getFile(BIG)]);
    await handleCollectMessage(h.deps, message, delivery);
    const first = [...h.deps.runs.evidence.values()][0];
    h.deps.runs.evidence.clear();
    const before = t.sim.stats().downloadsServed;
    expect(await handleCollectMessage(h.deps, message, { messageId: 'm', deliveryCount: 2 })).toBe('collected');
    expect(t.sim.stats().downloadsServed).toBe(before);
    expect([...h.deps.runs.evidence.values()][0]).toMatchObject({ sha256: first?.sha256, originalSha256: first?.originalSha256 });
  });

  it('aborts a decompression bomb within its cap, commits nothing and dead-letters the message with the reason', async () => {
    const h = await harness([], { EVIDENCE_MAX_ORIGINAL_BYTES: String(4 * 1024 * 1024) });
    const [message] = await ranAndRecorded(h, [getFile(ZEROS)]);
    expect(await handleCollectMessage(h.deps, message, delivery)).toBe('dead-lettered');
    expect(h.deps.bus.deadLettered[0]?.reason).toMatchObject({
      reason: 'CollectionFailed',
      description: expect.stringMatching(/decompression bomb/) as string,
    });
    expect(h.deps.bus.take('collect')).toEqual([]);
    const names: string[] = [];
    for await (const b of h.container.listBlobsFlat()) names.push(b.name);
    expect(names).toEqual([]);
  });

  it('stores a RunScript transcript as served and summarises it, bounded and sanitised', async () => {
    const h = await harness();
    const [message] = await ranAndRecorded(h, [runScript]);
    expect(await handleCollectMessage(h.deps, message, delivery)).toBe('collected');
    const [item] = (await h.deps.runs.getRun(message?.runId ?? ''))?.evidence ?? [];
    const stored = await h.container.getBlockBlobClient(item?.blobName ?? '').downloadToBuffer();
    expect((JSON.parse(stored.toString('utf8')) as { script_output: string }).script_output).toContain('\u001b[2J');
    expect(item?.transcript).toMatchObject({ exitCode: 2, errorsPreview: 'one warning' });
    expect(item?.transcript?.outputPreview).toContain('collected\uFFFD[2J 3 files');
  });

  it('keeps every item in the manifest when collectors of one run finish at once', async () => {
    const h = await harness();
    const messages = await ranAndRecorded(h, [runScript, getFile('C:\\a.txt'), getFile('C:\\b.txt'), getFile('C:\\c.txt')]);
    const outcomes = await Promise.all(messages.map((m) => handleCollectMessage(h.deps, m, delivery)));
    expect(outcomes).toEqual(['collected', 'collected', 'collected', 'collected']);
    const manifest = await manifestOf(h, messages[0]?.runId ?? '');
    expect(manifest.items.map((i) => i.command.index)).toEqual([0, 1, 2, 3]);
  });

  it('never writes a result link or its signature to the logs, through failures and retries', async () => {
    const h = await harness([
      { afterBytes: 1024 * 1024, mode: 'reset', atCut: () => t.clock.advance(31 * MINUTE_MS) },
      { beforeRequest: () => t.clock.advance(31 * MINUTE_MS) },
      { afterBytes: 100, mode: 'end' },
    ]);
    const [message] = await ranAndRecorded(h, [getFile(BIG)]);
    let body: unknown = message;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      if ((await handleCollectMessage(h.deps, body, delivery)) === 'collected') break;
      body = nextRetry(h);
    }
    expect(h.lines.filter((l) => /collection deferred/.test(l))).toHaveLength(3);
    expect(h.lines.some((l) => /evidence collected/.test(l))).toBe(true);
    const all = h.lines.join('\n');
    expect(all).not.toMatch(/\/results\/|sig=|se=|sv=|http:\/\/127\.0\.0\.1/);
  });
});

describe('collecting evidence from values formatted as Defender formats them', () => {
  let lenient: TestSimulator;
  beforeAll(async () => {
    lenient = t;
    t = await startTestSimulator({ fleet: FLEET, settings: { gzipLevel: 9, valueFormats: 'defender' } });
  });
  afterAll(async () => {
    await t.close();
    t = lenient;
  });

  it('collects through sp=rt links, reads trimmed command times and leaves the NULs ending a transcript out of its summary', async () => {
    const h = await harness();
    const messages = await ranAndRecorded(h, [runScript, getFile('C:\\a.txt')]);
    const outcomes = await Promise.all(messages.map((m) => handleCollectMessage(h.deps, m, delivery)));
    const run = await h.deps.runs.getRun(messages[0]?.runId ?? '');
    const transcript = run?.evidence.find((e) => e.commandIndex === 0);
    const stored = await h.container.getBlockBlobClient(transcript?.blobName ?? '').downloadToBuffer();
    const manifest = await manifestOf(h, messages[0]?.runId ?? '');
    expect(outcomes).toEqual(['collected', 'collected']);
    expect((JSON.parse(stored.toString('utf8')) as { script_output: string }).script_output).toMatch(/PSScriptOutputs.*\u0000+$/s);
    expect(transcript?.transcript?.outputPreview).toMatch(/collected\uFFFD\[2J 3 files$/);
    expect(manifest.items.map((i) => i.command.startedUtc)).toEqual([expect.stringMatching(/Z$/), expect.stringMatching(/Z$/)]);
  });
});
