import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { peekDeadLettered } from '../../local/summary.js';
import { checkManifest } from '../../shared/evidence/manifest.js';
import { eachRun } from '../../shared/runs/listing.js';
import type { RunStatus } from '../../shared/services/status/runStatus.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from '../../shared/notify/webhookRequest.js';
import { startLoopbackReceiver, type LoopbackReceiver } from '../helpers/loopbackReceiver.js';

/**
 * The whole pipeline on the local default: an alert goes onto the alerts
 * queue; the Function App's handlers plan, submit, poll and collect against
 * the simulator; the evidence lands in Azurite. Time runs 600x faster on one
 * scaled clock shared by the simulator and the responder; nothing here
 * asserts on speed, only on outcomes. It runs once against each simulator
 * profile: the strict one is as strict as Defender can plausibly be.
 */
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`local/demo/alerts/${name}`, 'utf8')) as Record<string, unknown>;

async function waitForRun(runId: string, wallTimeoutMs = 90_000): Promise<RunStatus> {
  const deadline = Date.now() + wallTimeoutMs;
  for (;;) {
    const status = await stack.services.runStatus(runId);
    if (status?.phase === 'ended') return status;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function runIdsFor(alertId: string, wallTimeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + wallTimeoutMs;
  for (;;) {
    for await (const run of eachRun(stack.services.deps.runs, { limit: 100 })) {
      if (run.trigger.kind === 'alert' && run.trigger.alertId === alertId) return run.runId;
    }
    if (Date.now() > deadline) throw new Error(`no run for alert ${alertId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function sha256OfBlob(blobName: string, gunzip: boolean): Promise<string> {
  const hash = createHash('sha256');
  const sink = new Writable({
    write: (chunk: Buffer, _e, cb) => {
      hash.update(chunk);
      cb();
    },
  });
  const source = await stack.services.deps.evidence.openRead(blobName);
  await (gunzip ? pipeline(source, createGunzip(), sink) : pipeline(source, sink));
  return hash.digest('hex');
}

let stack: LocalStack;
let webhook: LoopbackReceiver;
const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789abcdef';

/** The signed run-ended notification the webhook received for `runId`, once it has. */
async function runEndedNotification(runId: string, wallTimeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + wallTimeoutMs;
  for (;;) {
    for (const received of webhook.received) {
      const body = JSON.parse(received.body) as { kind?: string; run?: { runId?: string } };
      if (body.kind !== 'run-ended' || body.run?.runId !== runId) continue;
      const signature = `sha256=${webhookSignature(WEBHOOK_SECRET, String(received.headers[TIMESTAMP_HEADER]), received.body)}`;
      expect(received.headers[SIGNATURE_HEADER]).toBe(signature);
      return body;
    }
    if (Date.now() > deadline) throw new Error(`no run-ended notification for ${runId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(['lenient', 'strict'] as const)('alert in, evidence out (simulator profile %s)', (profile) => {
  beforeAll(async () => {
    webhook = await startLoopbackReceiver([200]);
    stack = await startLocalStack({
      fleetPath: 'local/fleets/demo.json',
      simulatorProfile: profile,
      timeScale: 600,
      logSink: () => undefined,
      timers: false,
      settings: { NOTIFY_WEBHOOK_URL: webhook.url, NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await webhook?.close();
  });

  it('runs against the simulator in the profile it names', () => {
    expect(stack.simulator.profile).toBe(profile);
  });

  it('dumps the alert process and stores the dump whose original SHA-256 equals the device file', async () => {
    const alert = fixture('01-lsass-access-ws-finance-07.json');
    await stack.bus.send('alerts', { body: alert, messageId: 'e2e-1' });
    const status = await waitForRun(await runIdsFor(String(alert.id)));

    const [device] = status.devices;
    expect(device?.actionStatus).toBe('Succeeded');
    expect(device?.commands[0]?.params).toContainEqual({ key: 'Args', value: `-ProcessId 6324 -OutputName ${status.runId}` });
    const dump = device?.evidence.find((e) => e.commandIndex === 1);
    const path = `C:\\ProgramData\\MdeResponder\\Out\\${status.runId}.dmp`;
    const source = stack.simulator.sourceFile('1e5bc9d7e413ddd7902c2932e418702b84d0cc07', path);
    expect(source).toBeDefined();
    expect(dump?.originalSha256).toBe(source?.sha256);
    expect(await sha256OfBlob(dump?.blobName ?? '', false)).toBe(dump?.sha256);
    expect(await sha256OfBlob(dump?.blobName ?? '', true)).toBe(source?.sha256);
    const transcript = device?.evidence.find((e) => e.commandIndex === 0);
    expect(transcript?.blobName).toMatch(/0-Invoke-ProcessDump\.ps1\.transcript\.json$/);
    expect(transcript?.transcript).toMatchObject({ exitCode: 0, outputPreview: expect.stringContaining(`Opening process 6324`) as string });

    const manifest = checkManifest((await stack.services.deps.evidence.readJson(`${status.runId}/manifest.json`))?.value);
    expect(manifest.ok).toBe(true);
    if (manifest.ok) {
      expect(manifest.value).toMatchObject({ alertId: alert.id, playbook: { name: 'process-memory-dump' } });
      expect(manifest.value.items.map((i) => [i.command.type, i.blob.sha256, i.original?.sha256])).toEqual([
        ['RunScript', transcript?.sha256, undefined],
        ['GetFile', dump?.sha256, source?.sha256],
      ]);
    }

    // The signed webhook says so, with each stored file's SHA-256.
    const told = await runEndedNotification(status.runId);
    expect(told).toMatchObject({ schema: 'mde-responder/notification@1', devices: [{ evidence: expect.any(Array) as unknown }] });
    const devices = told.devices as { evidence: { sha256: string; originalSha256?: string }[] }[];
    expect(devices[0]?.evidence.map((e) => [e.sha256, e.originalSha256])).toEqual([
      [transcript?.sha256, undefined],
      [dump?.sha256, source?.sha256],
    ]);
  });

  it('collects the file a Linux alert names by its / path with the bash playbook, and the copy equals the device file', async () => {
    const alert = fixture('08-graph-linux-file-web-lnx-02.json');
    await stack.bus.send('alerts', { body: alert, messageId: 'e2e-linux' });
    const status = await waitForRun(await runIdsFor(String(alert.id)));
    expect(status.playbook.name).toBe('collect-alert-file-posix');
    const [device] = status.devices;
    expect(device?.actionStatus).toBe('Succeeded');
    // The alert's path travels base64url-encoded to the script; GetFile takes only the playbook's own path.
    const sourceB64 = Buffer.from('/tmp/.cache/update.sh', 'utf8').toString('base64url');
    expect(device?.commands[0]).toMatchObject({ type: 'RunScript' });
    expect(device?.commands[0]?.params).toContainEqual({ key: 'ScriptName', value: 'collect-evidence-file.sh' });
    expect(JSON.stringify(device?.commands[0]?.params)).toContain(`-SourcePathB64 ${sourceB64}`);
    const copyPath = `/var/tmp/mde-responder/out/${status.runId}.bin`;
    expect(device?.commands[2]?.params).toEqual([{ key: 'Path', value: copyPath }]);
    const copy = device?.evidence.find((e) => e.commandIndex === 2);
    const source = stack.simulator.sourceFile('5d0a3f6b2e4c7a9b1d3f5e7a9c1b3d5f7e9a1c3b', copyPath);
    expect(source).toBeDefined();
    expect(copy?.originalSha256).toBe(source?.sha256);
    expect(device?.evidence.map((e) => e.commandIndex).sort()).toEqual([0, 1, 2, 3]);
  });

  it('records a failed script and runs nothing after it', async () => {
    const alert = fixture('03-mshta-ws-dev-03-script-fails.json');
    await stack.bus.send('alerts', { body: alert, messageId: 'e2e-3' });
    const status = await waitForRun(await runIdsFor(String(alert.id)));
    const [device] = status.devices;
    expect(device?.actionStatus).toBe('Failed');
    expect(device?.commandOutcomes.map((o) => o.commandStatus)).toEqual(['Failed', 'Created']);
    expect(device?.evidence).toEqual([]);
  });

  it('dead-letters a malformed alert with its reason and never calls Defender for it', async () => {
    const before = stack.simulator.stats();
    // A Defender API alert (alertCreationTime) without its id and device: malformed, not of an unsupported shape.
    const body = { title: 'no id, no device', alertCreationTime: '2026-11-20T09:00:00Z' };
    await stack.bus.send('alerts', { body, messageId: 'e2e-bad' });
    const deadline = Date.now() + 30_000;
    let found: Awaited<ReturnType<typeof peekDeadLettered>> = [];
    while (found.length === 0 && Date.now() < deadline) {
      found = await peekDeadLettered(stack);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(found[0]).toMatchObject({ queue: 'alerts-poison', reason: 'MalformedAlert' });
    expect(found[0]?.description).toMatch(/id: .*; .*machineId/);
    expect(stack.simulator.stats().actionsCreated).toBe(before.actionsCreated);
  });

  it('answers a manual run request with 202 and a bad one with 400 naming the field', async () => {
    const post = (body: unknown) =>
      fetch(`${stack.apiUrl}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post({ playbook: 'collect-hosts-file', devices: ['not-a-device'] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('devices.0');
    const good = await post({ playbook: 'collect-hosts-file', devices: ['2a7f0c3e9b1d4c6e8f0a2b4c6d8e0f1a3b5c7d9e'], reason: 'INC-7' });
    expect(good.status).toBe(202);
    const { runId } = (await good.json()) as { runId: string };
    const status = await waitForRun(runId);
    // Local mode: the development principal, named in the chain of custody with its object id.
    expect(status.trigger).toMatchObject({
      kind: 'manual',
      requestedBy: expect.stringMatching(/^developer@localhost \(user /) as string,
      reason: 'INC-7',
    });
    expect(status.devices[0]?.evidence[0]?.originalSha256).toBe(
      stack.simulator.sourceFile('2a7f0c3e9b1d4c6e8f0a2b4c6d8e0f1a3b5c7d9e', 'C:\\Windows\\System32\\drivers\\etc\\hosts')?.sha256,
    );
    const fetched = await fetch(`${stack.apiUrl}/api/runs/${runId}`);
    expect(fetched.status).toBe(200);
    const listed = await fetch(`${stack.apiUrl}/api/runs?trigger=manual&limit=5`);
    expect(((await listed.json()) as { runs: { runId: string }[] }).runs.map((r) => r.runId)).toContain(runId);
    // The health check's real probes: Azurite's tables and queues, the credential's token.
    const health = await fetch(`${stack.apiUrl}/api/health`);
    expect({ status: health.status, body: await health.json() }).toMatchObject({
      status: 200,
      body: { checks: { storage: { state: 'ok' }, bus: { state: 'ok' }, defenderToken: { state: 'ok' } } },
    });
  });
});
