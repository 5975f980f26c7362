import { QUEUE_NAMES } from '../shared/bus/queues.js';
import { eachRun } from '../shared/runs/listing.js';
import type { Services } from '../shared/services/index.js';
import type { TranscriptSummary } from '../shared/evidence/transcript.js';
import type { RunStatus } from '../shared/services/status/runStatus.js';
import type { LocalStack } from './stack.js';

export interface DeadLetteredMessage {
  queue: string;
  reason: string;
  description: string;
}

export interface LocalSummary {
  note: string;
  timeScale: number;
  simulatedStartUtc: string;
  simulatedNowUtc: string;
  wallSeconds: number;
  defenderApi: string;
  evidenceContainer: string;
  azuriteData: string;
  runs: (RunStatus & { devices: (RunStatus['devices'][number] & { evidenceUrls: string[] })[] })[];
  deadLettered: DeadLetteredMessage[];
  /** Every run ended, every completed result was collected, nothing was dead-lettered or refused by Defender. */
  allEndedAsExpected: boolean;
  problems: string[];
}

/** Runs are listed a page at a time (newest first), then their statuses read together; shown by run id. */
export async function collectRunStatuses(services: Services): Promise<RunStatus[]> {
  const ids: string[] = [];
  for await (const run of eachRun(services.deps.runs, { limit: 100 })) ids.push(run.runId);
  const statuses = await Promise.all(ids.map((id) => services.runStatus(id)));
  return statuses.filter((s): s is RunStatus => s !== undefined).sort((a, b) => a.runId.localeCompare(b.runId));
}

/** Reads (without removing) what the poison queues hold: each message with its reason. */
export async function peekDeadLettered(stack: LocalStack): Promise<DeadLetteredMessage[]> {
  const found: DeadLetteredMessage[] = [];
  for (const queue of QUEUE_NAMES) {
    for (const item of await stack.bus.peekPoison(queue)) {
      found.push({
        queue: stack.bus.poisonName(queue),
        reason: String(item.envelope?.properties?.deadLetterReason ?? 'unreadable'),
        description: String(item.envelope?.properties?.deadLetterErrorDescription ?? item.problem ?? ''),
      });
    }
  }
  return found;
}

export async function buildSummary(
  stack: LocalStack,
  startedWallMs: number,
  simulatedStartMs: number,
  dataDir: string,
): Promise<LocalSummary> {
  const runs = await collectRunStatuses(stack.services);
  const deadLettered = await peekDeadLettered(stack);
  const problems: string[] = [];
  for (const run of runs) {
    if (run.phase !== 'ended') problems.push(`run ${run.runId} has not ended (${run.phase})`);
    for (const d of run.devices) {
      if (d.state === 'rejected')
        problems.push(`run ${run.runId}: Defender refused the submission for ${d.deviceId}: ${d.lastError ?? ''}`);
      for (const f of d.evidenceFailed)
        problems.push(`run ${run.runId}: result ${f.commandIndex} of ${d.deviceId} could not be collected: ${f.reason}`);
    }
  }
  for (const d of deadLettered) problems.push(`dead-lettered on ${d.queue}: ${d.reason}: ${d.description}`);
  const evidence = stack.services.deps.evidence;
  return {
    note: 'Local run: Azurite and the Defender API SIMULATOR (not Microsoft Defender). Times are simulated.',
    timeScale: stack.clock.scale,
    simulatedStartUtc: new Date(simulatedStartMs).toISOString(),
    simulatedNowUtc: new Date(stack.clock.nowMs()).toISOString(),
    wallSeconds: Math.round((Date.now() - startedWallMs) / 100) / 10,
    defenderApi: stack.simulator.url,
    evidenceContainer: evidence.locate('').replace(/\/$/, ''),
    azuriteData: dataDir,
    runs: runs.map((r) => ({
      ...r,
      devices: r.devices.map((d) => ({ ...d, evidenceUrls: d.evidence.map((e) => evidence.locate(e.blobName)) })),
    })),
    deadLettered,
    allEndedAsExpected: problems.length === 0,
    problems,
  };
}

/** Transcript previews are sanitised at collection (no control characters); shown indented, a few lines at most. */
function transcriptLines(t: TranscriptSummary): string[] {
  const head = `      transcript: exit code ${t.exitCode ?? 'unknown'}, output ${t.outputChars} chars, errors ${t.errorsChars} chars${t.note ? ` (${t.note})` : ''}`;
  const quote = (label: string, text: string): string[] => {
    const shown = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(0, PREVIEW_LINES);
    return shown.map(
      (l, i) =>
        `      ${i === 0 ? label : ' '.repeat(label.length)} | ${l.length > PREVIEW_LINE_CHARS ? `${l.slice(0, PREVIEW_LINE_CHARS)}…` : l}`,
    );
  };
  return [head, ...quote('output', t.outputPreview), ...quote('errors', t.errorsPreview)];
}

const PREVIEW_LINES = 4;
const PREVIEW_LINE_CHARS = 120;

const mib = (bytes: number): string => (bytes < 1024 * 1024 ? `${bytes} bytes` : `${(bytes / (1024 * 1024)).toFixed(1)} MiB`);

export function formatSummary(summary: LocalSummary): string {
  const lines: string[] = [
    '',
    '=== Summary ===',
    summary.note,
    `Time scale ${summary.timeScale}x: simulated ${summary.simulatedStartUtc} -> ${summary.simulatedNowUtc} in ${summary.wallSeconds} s of wall time.`,
  ];
  lines.push(`Evidence container: ${summary.evidenceContainer}   (Azurite data: ${summary.azuriteData})`, '');
  for (const run of summary.runs) {
    const trigger =
      run.trigger.kind === 'alert'
        ? `alert ${run.trigger.alertId}`
        : run.trigger.kind === 'manual'
          ? `manual by ${run.trigger.requestedBy}`
          : `schedule ${run.trigger.playbook}`;
    lines.push(
      `Run ${run.runId}  [${run.phase}]  ${run.playbook.name}@${run.playbook.version} (sha256 ${run.playbook.contentSha256.slice(0, 12)}…)  <- ${trigger}`,
    );
    for (const r of run.refused) lines.push(`  refused ${r.deviceId}: ${r.reason}`);
    for (const d of run.devices) {
      lines.push(
        `  device ${d.deviceName ?? d.deviceId} (${d.deviceId.slice(0, 12)}…)  action ${d.actionId ?? '-'}  ${d.actionStatus ?? d.state}${d.lastError ? `  (${d.lastError})` : ''}`,
      );
      for (const [i, c] of d.commands.entries()) {
        const outcome = d.commandOutcomes.find((o) => o.index === i);
        lines.push(
          `    [${i}] ${c.type} ${c.params.map((p) => `${p.key}=${p.value}`).join(' ')}  -> ${outcome?.commandStatus ?? 'not run'}${outcome?.errors.length ? ` ${outcome.errors.join('; ')}` : ''}`,
        );
      }
      for (const e of d.evidence) {
        lines.push(
          `    evidence ${e.blobName}  ${mib(e.sizeBytes)}  sha256 ${e.sha256}${e.originalSha256 ? `  original sha256 ${e.originalSha256}` : ''}`,
        );
        if (e.transcript) lines.push(...transcriptLines(e.transcript));
      }
    }
  }
  if (summary.deadLettered.length > 0) {
    lines.push('', 'Dead-lettered messages:');
    for (const d of summary.deadLettered) lines.push(`  ${d.queue}: ${d.reason}: ${d.description}`);
  }
  lines.push(
    '',
    summary.allEndedAsExpected ? 'All runs ended as expected.' : `Problems:\n${summary.problems.map((p) => `  - ${p}`).join('\n')}`,
  );
  return lines.join('\n');
}
