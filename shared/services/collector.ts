import { pipeline } from 'node:stream/promises';
import type { DeliveryInfo } from '../bus/port.js';
import { collectMessageSchema, type CollectMessage } from '../bus/messages.js';
import { HashingTap, type StreamDigest } from '../evidence/hashing.js';
import { buildManifest } from '../evidence/manifest.js';
import { evidenceBlobName, manifestBlobName } from '../evidence/naming.js';
import type { DeviceAction, EvidenceItem } from '../runs/model.js';
import { describeIssues, toIssues } from '../validation.js';
import { ThrottledError, TransientError, describeError } from '../errors.js';
import { enqueueCollect } from './queueing.js';
import type { Deps } from './deps.js';

export type CollectOutcome = 'collected' | 'duplicate' | 'deferred' | 'dead-lettered';

/** Transfers retried with backoff before the failure is left to the queue's own retries. */
const MAX_COLLECT_ATTEMPTS = 8;
const backoffMs = (attempt: number): number => Math.min(30 * 60_000, 15_000 * 2 ** attempt);

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
  try {
    return await collect(deps, message);
  } catch (error) {
    // Throttled, or the link expired or broke mid-transfer: try again later with a fresh link.
    const retryable = error instanceof ThrottledError || error instanceof TransientError;
    if (!retryable || message.attempt + 1 >= MAX_COLLECT_ATTEMPTS) throw error;
    const waitMs = error instanceof ThrottledError ? error.retryAfterMs : backoffMs(message.attempt);
    await enqueueCollect(deps, message, message.machineActionId, message.commandIndex, { attempt: message.attempt + 1, notBeforeMs: deps.clock.nowMs() + waitMs });
    deps.logger.log('warn', 'collection deferred', { runId: message.runId, deviceId: message.deviceId, actionId: message.machineActionId, commandIndex: message.commandIndex, attempt: message.attempt + 1, waitMs, error: describeError(error) });
    return 'deferred';
  }
}

async function collect(deps: Deps, message: CollectMessage): Promise<CollectOutcome> {
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
