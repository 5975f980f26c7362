import { pipeline } from 'node:stream/promises';
import type { DeliveryInfo } from '../bus/port.js';
import { collectMessageSchema, type CollectMessage } from '../bus/messages.js';
import { HashingTap, type StreamDigest } from '../evidence/hashing.js';
import { buildManifest } from '../evidence/manifest.js';
import { evidenceBlobName, manifestBlobName } from '../evidence/naming.js';
import type { DeviceAction, EvidenceItem } from '../runs/model.js';
import { describeIssues, toIssues } from '../validation.js';
import type { Deps } from './deps.js';

export type CollectOutcome = 'collected' | 'duplicate' | 'dead-lettered';

/** Ratio of decoded to received bytes beyond which gzip content is treated as a bomb. */
const MAX_GZIP_RATIO = 1_000;

/**
 * Copies one command's result into evidence storage: a fresh download link,
 * streamed through a hashing tap into a new blob (never overwritten), then an
 * evidence record and the run's manifest. A failed or expired download throws
 * a transient error; the retry mints a new link and starts over cleanly.
 */
export async function handleCollectMessage(deps: Deps, body: unknown, delivery: DeliveryInfo): Promise<CollectOutcome> {
  const parsed = collectMessageSchema.safeParse(body);
  if (!parsed.success) {
    await deps.bus.deadLetter('collect', body, { reason: 'MalformedMessage', description: describeIssues(toIssues(parsed.error)), originalMessageId: delivery.messageId });
    return 'dead-lettered';
  }
  const message = parsed.data;
  const action = (await deps.runs.getAction(message.runId, message.deviceId))?.value;
  const command = action?.commands[message.commandIndex];
  if (!action || !command || action.machineActionId !== message.machineActionId) return 'duplicate';
  const source = command.params.find((p) => p.key === 'Path' || p.key === 'ScriptName')?.value ?? '';
  const blobName = evidenceBlobName({ ...message, commandType: command.type, source });
  const log = deps.logger.child({ runId: message.runId, deviceId: message.deviceId, actionId: message.machineActionId, commandIndex: message.commandIndex });

  let digest: StreamDigest;
  let contentEncoding: string | undefined;
  if (await deps.evidence.exists(blobName)) {
    const recorded = (await deps.runs.getRun(message.runId))?.evidence.some((e) => e.blobName === blobName);
    if (recorded) return 'duplicate';
    digest = await rehash(deps, blobName, command.type === 'GetFile');
    contentEncoding = command.type === 'GetFile' ? 'gzip' : undefined;
    log.log('info', 'evidence blob existed without a record; re-hashed it', { blobName });
  } else {
    const link = await deps.defender.getResultDownloadLink(message.machineActionId, message.commandIndex);
    const download = await deps.defender.downloadResult(link);
    contentEncoding = command.type === 'GetFile' ? 'gzip' : undefined;
    const tap = new HashingTap({ decodeGzip: command.type === 'GetFile', maxOriginalBytes: deps.config.evidence.maxOriginalBytes, maxRatio: MAX_GZIP_RATIO });
    const upload = deps.evidence.writeNew(blobName, tap, {
      contentType: command.type === 'GetFile' ? 'application/gzip' : 'application/json',
      metadata: { runId: message.runId, deviceId: message.deviceId, machineActionId: message.machineActionId, commandIndex: String(message.commandIndex), commandType: command.type },
      tags: { runId: message.runId, deviceId: message.deviceId },
    });
    // If the upload fails first, stop reading the link at once.
    upload.catch(() => download.body.destroy());
    await Promise.all([pipeline(download.body, tap), upload]);
    digest = tap.digest();
  }
  await record(deps, action, message, { command: command.type, source, blobName, digest, contentEncoding });
  log.log('info', 'evidence collected', { blobName, sizeBytes: digest.sizeBytes, sha256: digest.sha256 });
  return 'collected';
}

async function rehash(deps: Deps, blobName: string, gzip: boolean): Promise<StreamDigest> {
  const tap = new HashingTap({ decodeGzip: gzip, maxOriginalBytes: deps.config.evidence.maxOriginalBytes, maxRatio: MAX_GZIP_RATIO });
  tap.resume();
  await pipeline(await deps.evidence.openRead(blobName), tap);
  return tap.digest();
}

async function record(
  deps: Deps,
  action: DeviceAction,
  message: CollectMessage,
  item: { command: string; source: string; blobName: string; digest: StreamDigest; contentEncoding?: string },
): Promise<void> {
  const evidence: EvidenceItem = {
    runId: action.runId,
    deviceId: action.deviceId,
    machineActionId: message.machineActionId,
    commandIndex: message.commandIndex,
    commandType: item.command,
    source: item.source,
    blobName: item.blobName,
    sizeBytes: item.digest.sizeBytes,
    sha256: item.digest.sha256,
    contentEncoding: item.contentEncoding,
    originalSha256: item.digest.original?.sha256,
    originalSizeBytes: item.digest.original?.sizeBytes,
    collectedMs: deps.clock.nowMs(),
  };
  await deps.runs.putEvidence(evidence);
  const view = await deps.runs.getRun(action.runId);
  if (view) await deps.evidence.writeJson(manifestBlobName(action.runId), buildManifest(view, deps.collectorVersion, deps.clock.nowMs()));
}
