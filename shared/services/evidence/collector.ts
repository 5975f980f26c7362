import type { DeliveryInfo } from '../../bus/port.js';
import { parseOrDeadLetter } from '../../bus/parseOrDeadLetter.js';
import { collectMessageSchema, type CollectMessage } from '../../bus/messages.js';
import { PermanentError, ThrottledError, TransientError, describeError } from '../../errors.js';
import { evidenceBlobName } from '../../evidence/naming.js';
import type { CustodySubject } from '../../evidence/custody.js';
import type { EvidenceItem } from '../../runs/model.js';
import { recordEvidenceFailure } from '../../runs/transitions.js';
import { updateAction } from '../../runs/updateAction.js';
import type { CollectorDeps } from './deps.js';
import { rehashStored, transferResult, type TransferResult } from './evidenceTransfer.js';
import { manifestLists, writeManifest } from './manifestWriter.js';
import { enqueueCollect } from './queueing.js';

export type CollectOutcome = 'collected' | 'duplicate' | 'deferred' | 'dead-lettered';

/** Transfers retried with backoff before the failure is left to the queue's own retries. */
const MAX_COLLECT_ATTEMPTS = 8;
const backoffMs = (attempt: number): number => Math.min(30 * 60_000, 15_000 * 2 ** attempt);

/**
 * Copies one command's result into evidence storage: a fresh download link,
 * streamed through a hashing tap into a new blob committed only when
 * complete (never overwritten), then an evidence record and the run's
 * manifest. A throttled, expired or broken transfer is rescheduled with
 * backoff and starts over with a new link; a permanent failure (a refused
 * link, a decompression bomb) or one that outlasts every retry is
 * dead-lettered with its reason and recorded on the run, which then ends. A redelivered
 * message finds the record and records nothing twice.
 */
export async function handleCollectMessage(deps: CollectorDeps, body: unknown, delivery: DeliveryInfo): Promise<CollectOutcome> {
  const parsed = await parseOrDeadLetter(deps.bus, 'collect', collectMessageSchema, body, delivery);
  if (!parsed.ok) return 'dead-lettered';
  const message = parsed.value;
  const ids = { runId: message.runId, deviceId: message.deviceId, actionId: message.machineActionId, commandIndex: message.commandIndex };
  try {
    return await collect(deps, message);
  } catch (error) {
    const retryable = error instanceof ThrottledError || error instanceof TransientError;
    const exhausted = retryable && message.attempt + 1 >= MAX_COLLECT_ATTEMPTS;
    if (error instanceof PermanentError || exhausted) {
      const reason = exhausted ? 'CollectionRetriesExhausted' : 'CollectionFailed';
      const description = exhausted ? `${MAX_COLLECT_ATTEMPTS} attempts failed; the last: ${describeError(error)}` : describeError(error);
      await deps.bus.deadLetter('collect', body, { reason, description, originalMessageId: delivery.messageId });
      // The run records the failure, so it ends with the reason instead of collecting forever.
      await updateAction(deps.runs, message.runId, message.deviceId, (a) =>
        a.machineActionId === message.machineActionId
          ? recordEvidenceFailure(a, { commandIndex: message.commandIndex, reason: `${reason}: ${description}` }, deps.clock.nowMs())
          : undefined,
      );
      deps.logger.log('error', 'collection failed for good; message dead-lettered and the failure recorded on the run', {
        ...ids,
        reason,
        error: describeError(error),
      });
      return 'dead-lettered';
    }
    if (!retryable) throw error;
    const waitMs = error instanceof ThrottledError ? error.retryAfterMs : backoffMs(message.attempt);
    await enqueueCollect(deps, message, message.machineActionId, message.commandIndex, {
      attempt: message.attempt + 1,
      notBeforeMs: deps.clock.nowMs() + waitMs,
    });
    deps.logger.log('warn', 'collection deferred; a fresh link will be used', {
      ...ids,
      attempt: message.attempt + 1,
      waitMs,
      error: describeError(error),
    });
    return 'deferred';
  }
}

async function collect(deps: CollectorDeps, message: CollectMessage): Promise<CollectOutcome> {
  const view = await deps.runs.getRun(message.runId);
  const action = view?.actions.find((a) => a.deviceId === message.deviceId);
  const command = action?.commands[message.commandIndex];
  if (!view || !action || !command || action.machineActionId !== message.machineActionId) return 'duplicate';
  const key = { deviceId: message.deviceId, machineActionId: message.machineActionId, commandIndex: message.commandIndex };
  const log = deps.logger.child({
    runId: message.runId,
    deviceId: message.deviceId,
    actionId: message.machineActionId,
    commandIndex: message.commandIndex,
  });

  if (
    view.evidence.some(
      (e) => e.deviceId === key.deviceId && e.machineActionId === key.machineActionId && e.commandIndex === key.commandIndex,
    )
  ) {
    // Recorded already; the collector before us may have stopped before the manifest.
    if (!(await manifestLists(deps, message.runId, key))) await writeManifest(deps, message.runId, key);
    return 'duplicate';
  }
  const source = command.params.find((p) => p.key === 'Path' || p.key === 'ScriptName')?.value ?? '';
  const blobName = evidenceBlobName({ ...message, commandType: command.type, source });
  const subject: CustodySubject = {
    run: view.run,
    deviceId: action.deviceId,
    deviceName: action.deviceName,
    machineActionId: message.machineActionId,
    commandIndex: message.commandIndex,
    commandType: command.type,
    source,
    collectorVersion: deps.collectorVersion,
  };

  let stored: Omit<TransferResult, 'outcome'> | undefined;
  if (!(await deps.evidence.exists(blobName))) {
    const link = await deps.defender.getResultDownloadLink(message.machineActionId, message.commandIndex);
    const startedMs = deps.clock.nowMs();
    const transfer = await transferResult(deps, link, blobName, subject);
    if (transfer.outcome === 'created') {
      stored = transfer;
      recordStored(deps, transfer.digest.sizeBytes, deps.clock.nowMs() - startedMs);
    }
  }
  if (!stored) {
    // Committed by a collector that stopped before recording it (or that won a race): hash what is stored.
    stored = await rehashStored(deps, blobName, command.type);
    log.log('info', 'evidence blob existed without a record; hashed the stored blob', { blobName });
  }
  const item: EvidenceItem = {
    runId: message.runId,
    deviceId: message.deviceId,
    machineActionId: message.machineActionId,
    commandIndex: message.commandIndex,
    commandType: command.type,
    source,
    blobName,
    sizeBytes: stored.digest.sizeBytes,
    sha256: stored.digest.sha256,
    contentEncoding: stored.contentEncoding,
    originalSha256: stored.digest.original?.sha256,
    originalSizeBytes: stored.digest.original?.sizeBytes,
    contentType: stored.contentType,
    transcript: stored.transcript,
    collectorVersion: deps.collectorVersion,
    collectedMs: deps.clock.nowMs(),
  };
  const recorded = await deps.runs.putEvidence(item);
  await writeManifest(deps, message.runId, key);
  if (recorded === 'exists') return 'duplicate';
  log.log('info', 'evidence collected', { blobName, sizeBytes: item.sizeBytes, sha256: item.sha256, originalSha256: item.originalSha256 });
  return 'collected';
}

/** Counts the bytes of a new evidence blob and records its transfer's throughput (none for a transfer that took no time on the clock). */
function recordStored(deps: Pick<CollectorDeps, 'metrics'>, sizeBytes: number, elapsedMs: number): void {
  deps.metrics?.add('evidenceBytes', sizeBytes, {});
  if (elapsedMs > 0) deps.metrics?.record('evidenceThroughput', (sizeBytes * 1000) / elapsedMs, {});
}
