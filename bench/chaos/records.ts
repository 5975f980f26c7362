import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { collectRunStatuses } from '../../local/summary.js';
import type { DeadLetterEntry } from '../../shared/bus/deadLetterStore.js';
import type { EvidenceStore } from '../../shared/evidence/store.js';
import type { RunStatus } from '../../shared/services/status/runStatus.js';
import { SimulatorCredential } from '../../simulator/index.js';
import type { ChaosStack } from './chaosStack.js';
import type { ChaosRecords } from './figures.js';

const actionsPage = z.object({
  value: z.array(z.object({ id: z.string(), machineId: z.string(), status: z.string(), requestorComment: z.string().nullable() })),
  '@odata.nextLink': z.string().optional(),
});

/**
 * Reads what the checks need once the run is over: runs, dead letters and
 * evidence from Azurite directly (no fault proxy), the simulator's counters
 * and machine actions (as another app, so its own calls use none of the
 * responder's quota; counters are read first), every log line.
 */
export async function readChaosRecords(
  stack: ChaosStack,
  alerts: readonly { alertId: string; messageId: string }[],
  logLines: readonly string[],
): Promise<ChaosRecords> {
  const stats = stack.simulator.stats();
  const sum = (counts: Partial<Record<string, number>>): number => Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);
  const services = stack.observer.services;
  const runs = await collectRunStatuses(services);
  return {
    alerts,
    runs,
    deadLetters: await allDeadLetters(stack),
    actions: await allMachineActions(stack),
    blobs: await checkBlobs(stack, runs, services.deps.evidence),
    calls: sum(stats.calls),
    throttled: sum(stats.throttled),
    logLines,
    linkHost: new URL(stack.simulator.url).host,
  };
}

async function allDeadLetters(stack: ChaosStack): Promise<DeadLetterEntry[]> {
  const entries: DeadLetterEntry[] = [];
  let after: string | undefined;
  do {
    const page = await stack.observer.services.deadLetters.list({ limit: 100, ...(after === undefined ? {} : { after }) });
    if (!page.ok) throw new Error(`listing dead letters: ${JSON.stringify(page.errors)}`);
    entries.push(...page.value.entries);
    after = page.value.next;
  } while (after !== undefined);
  return entries;
}

async function allMachineActions(stack: ChaosStack): Promise<ChaosRecords['actions']> {
  const credential = new SimulatorCredential({
    clock: stack.clock,
    appId: '0c4a05e5-c4ec-4c4e-8c4e-c4ec4c4ec4ec',
    appDisplayName: 'chaos checker',
  });
  const token = (await credential.getToken('https://api.securitycenter.microsoft.com/.default'))?.token ?? '';
  const actions: ChaosRecords['actions'][number][] = [];
  let next: string | undefined = `${stack.simulator.url}/api/machineactions`;
  while (next !== undefined) {
    const response = await fetch(next, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`listing machine actions: ${response.status}`);
    const page = actionsPage.parse(await response.json());
    actions.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return actions;
}

/** Every collected file whose source the simulator knows: the blob's content, decoded, must hash to the device file's SHA-256. */
async function checkBlobs(stack: ChaosStack, runs: readonly RunStatus[], evidence: EvidenceStore): Promise<ChaosRecords['blobs']> {
  const checked: ChaosRecords['blobs'][number][] = [];
  for (const run of runs) {
    for (const device of run.devices) {
      for (const item of device.evidence) {
        const path = device.commands[item.commandIndex]?.params.find((p) => p.key === 'Path')?.value;
        if (item.originalSha256 === undefined || path === undefined) continue;
        const source = stack.simulator.sourceFile(device.deviceId, path);
        const content = await sha256OfBlob(evidence, item.blobName, item.contentEncoding === 'gzip');
        checked.push({
          runId: run.runId,
          deviceId: device.deviceId,
          commandIndex: item.commandIndex,
          matchesSource: source !== undefined && source.sha256 === content && source.sha256 === item.originalSha256,
        });
      }
    }
  }
  return checked;
}

async function sha256OfBlob(evidence: EvidenceStore, blobName: string, gunzip: boolean): Promise<string> {
  const hash = createHash('sha256');
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      hash.update(chunk);
      done();
    },
  });
  const source = await evidence.openRead(blobName);
  await (gunzip ? pipeline(source, createGunzip(), sink) : pipeline(source, sink));
  return hash.digest('hex');
}
