import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Alert } from '../../alerts/alert.js';
import { assemblyNotes, mergeRows, type AlertAssembly, type AssemblyLimits, type Merged } from '../../alerts/assembly.js';
import { alertIdField } from '../../alerts/fields.js';
import { alertFromRows, hasInfoAndDevice } from '../../alerts/streamedAlert.js';
import type { AlertRows } from '../../alerts/streamingRecords.js';
import { casRetry, conflict, settled } from '../../concurrency/casRetry.js';
import type { Deps } from '../deps.js';
import { awaitsEvidence } from './evidenceAwaited.js';

/** What assembling streamed alerts needs. */
export type StreamedAlertDeps = Pick<Deps, 'config' | 'clock' | 'logger' | 'bus' | 'assemblies' | 'playbooks'>;

/**
 * The alerts-queue message the assembler sends itself: with `dueMs`, the
 * quiet-period check of one alert; without, "answer this alert from its
 * stored rows" (what a deferred streamed alert comes back as).
 */
export const streamedAlertMessageSchema = z.strictObject({
  streamedAlert: z.strictObject({ alertId: alertIdField, dueMs: z.number().int().optional() }),
});
export type StreamedAlertMessage = z.infer<typeof streamedAlertMessageSchema>['streamedAlert'];

/** Where a streamed alert stands after a message: to be answered now, or not yet (and why). */
export type AssemblyStep =
  | { kind: 'ready'; alert: Alert; rows: number; actionable: boolean; body: StreamedAlertMessageBody }
  /** Not complete yet: answered once it is, or at `dueMs` (its quiet-period check) with what arrived. */
  | { kind: 'assembling'; alertId: string; rows: number; dueMs: number }
  /** Rows that came after the alert was answered: kept, and not answered again (no playbook says rerun: onUpdate). */
  | { kind: 'late-rows'; alertId: string; rows: number }
  /** Nothing new (a redelivered message, or a quiet-period check that is no longer the pending one). */
  | { kind: 'unchanged'; alertId: string };

type StreamedAlertMessageBody = z.infer<typeof streamedAlertMessageSchema>;

/**
 * Adds one message's rows of an alert to its stored assembly (compare-and-
 * swap: two workers adding rows at once both land) and says what to do:
 *
 *   rows arrive (any order, any message) -> stored by record key (a redelivery adds nothing)
 *   AlertInfo and a device known, and no -> ready: answer now
 *   higher playbook waits for evidence
 *   otherwise                            -> a quiet-period check is sent for `dueMs`
 *   after the answer                     -> late rows kept (and counted); answered again only
 *                                           when a playbook says rerun: onUpdate, or the first
 *                                           answer had no device and now one is known
 */
export async function addStreamedRows(deps: StreamedAlertDeps, group: AlertRows): Promise<AssemblyStep> {
  const limits = limitsOf(deps);
  const { alertId } = group;
  const merged = await casRetry(
    `the assembly of alert ${alertId}`,
    async (): Promise<ReturnType<typeof settled<Merged>> | typeof conflict> => {
      const stored = await deps.assemblies.load(alertId);
      const outcome = mergeRows(stored?.value, alertId, group.rows, deps.clock.nowMs(), limits);
      if (stored && outcome.added === 0 && outcome.dropped === 0) return settled(outcome);
      return (await deps.assemblies.save(outcome.assembly, stored?.etag)) === 'ok' ? settled(outcome) : conflict;
    },
  );
  const { assembly } = merged;
  if (merged.dropped > 0)
    deps.logger.log('warn', 'streamed alert over its row cap: rows not kept', {
      alertId,
      dropped: merged.dropped,
      maxRows: limits.maxRows,
    });
  if (merged.late > 0)
    deps.logger.log('info', 'late rows of an answered streamed alert recorded', {
      alertId,
      rows: merged.late,
      lateRows: assembly.lateRows,
    });
  const reading = read(deps, assembly, limits);
  if (answerDue(deps, assembly, reading)) return ready(assembly, reading);
  if (assembly.emitted) return merged.late > 0 ? { kind: 'late-rows', alertId, rows: merged.late } : { kind: 'unchanged', alertId };
  await sendCheck(deps, alertId, assembly.dueMs);
  return { kind: 'assembling', alertId, rows: assembly.rows.length, dueMs: assembly.dueMs };
}

/**
 * An assembler message: a quiet-period check answers the alert with what
 * arrived once no row has come for STREAMING_ALERT_QUIET_MS (else it is
 * sent again for then); a check that is not the pending one re-sends the
 * pending one (same id: a duplicate if it was sent) and does nothing else.
 */
export async function streamedAlertDue(deps: StreamedAlertDeps, message: StreamedAlertMessage): Promise<AssemblyStep> {
  const limits = limitsOf(deps);
  const { alertId, dueMs } = message;
  const stored = await deps.assemblies.load(alertId);
  if (!stored) {
    deps.logger.log('warn', 'no assembly stored for a streamed alert message; nothing to do', { alertId });
    return { kind: 'unchanged', alertId };
  }
  const assembly = stored.value;
  const reading = read(deps, assembly, limits);
  if (dueMs === undefined || answerDue(deps, assembly, reading)) return ready(assembly, reading);
  if (assembly.emitted) return { kind: 'unchanged', alertId };
  if (dueMs < assembly.dueMs) {
    await sendCheck(deps, alertId, assembly.dueMs);
    return { kind: 'unchanged', alertId };
  }
  const quietUntilMs = assembly.lastRowMs + limits.quietMs;
  if (deps.clock.nowMs() < quietUntilMs) {
    const moved = await casRetry(`the assembly of alert ${alertId}`, async () => {
      const current = await deps.assemblies.load(alertId);
      if (!current || current.value.dueMs >= quietUntilMs) return settled(current?.value.dueMs ?? quietUntilMs);
      return (await deps.assemblies.save({ ...current.value, dueMs: quietUntilMs }, current.etag)) === 'ok'
        ? settled(quietUntilMs)
        : conflict;
    });
    await sendCheck(deps, alertId, moved);
    return { kind: 'assembling', alertId, rows: assembly.rows.length, dueMs: moved };
  }
  deps.logger.log('info', 'streamed alert answered after its quiet period with the rows that arrived', {
    alertId,
    rows: assembly.rows.length,
    alertInfo: assembly.rows.some((r) => r.table === 'info'),
    device: assembly.rows.some((r) => r.deviceId !== undefined),
  });
  return ready(assembly, reading);
}

/** Records that the alert was answered with its first `rows` rows (after the answer, so a crash in between answers again). */
export async function markAnswered(deps: StreamedAlertDeps, step: Extract<AssemblyStep, { kind: 'ready' }>): Promise<void> {
  const alertId = step.alert.id;
  await casRetry(`the assembly of alert ${alertId}`, async () => {
    const stored = await deps.assemblies.load(alertId);
    const emitted = stored?.value.emitted;
    if (!stored || (emitted && emitted.rows >= step.rows && (emitted.actionable || !step.actionable))) return settled(undefined);
    const next: AlertAssembly = {
      ...stored.value,
      emitted: { atMs: deps.clock.nowMs(), rows: step.rows, actionable: step.actionable, times: (emitted?.times ?? 0) + 1 },
    };
    return (await deps.assemblies.save(next, stored.etag)) === 'ok' ? settled(undefined) : conflict;
  });
}

/** An assembly read as an alert, and whether it is complete enough to act on. */
interface Reading {
  alert: Alert;
  actionable: boolean;
}

/**
 * Complete enough to act on: the AlertInfo row and a device are known, and
 * no playbook that would rank higher waits only for process or file
 * evidence not arrived yet (awaitsEvidence).
 */
function read(deps: Pick<StreamedAlertDeps, 'playbooks'>, assembly: AlertAssembly, limits: AssemblyLimits): Reading {
  const alert = alertFromRows(assembly.alertId, assembly.rows, assemblyNotes(assembly, limits));
  return { alert, actionable: hasInfoAndDevice(assembly.rows) && !awaitsEvidence(deps.playbooks, alert) };
}

function answerDue(deps: Pick<StreamedAlertDeps, 'playbooks'>, assembly: AlertAssembly, reading: Reading): boolean {
  const { emitted } = assembly;
  if (!emitted) return reading.actionable;
  return (reading.actionable && !emitted.actionable) || (assembly.rows.length > emitted.rows && rerunsOnUpdate(deps));
}

function rerunsOnUpdate(deps: Pick<StreamedAlertDeps, 'playbooks'>): boolean {
  return deps.playbooks.some((p) => p.playbook.triggers.includes('alert') && p.playbook.rerun === 'onUpdate');
}

function ready(assembly: AlertAssembly, reading: Reading): Extract<AssemblyStep, { kind: 'ready' }> {
  return {
    kind: 'ready',
    alert: reading.alert,
    rows: assembly.rows.length,
    actionable: reading.actionable,
    body: { streamedAlert: { alertId: assembly.alertId } },
  };
}

/** The quiet-period check for `dueMs`: one id per (alert, instant), so a re-send of the same check is a duplicate. */
async function sendCheck(deps: Pick<StreamedAlertDeps, 'bus'>, alertId: string, dueMs: number): Promise<void> {
  const body: StreamedAlertMessageBody = { streamedAlert: { alertId, dueMs } };
  await deps.bus.send('alerts', {
    body,
    messageId: `alert-assembly-${createHash('sha256').update(`${alertId}|${dueMs}`).digest('hex').slice(0, 40)}`,
    notBeforeMs: dueMs,
  });
}

function limitsOf(deps: Pick<StreamedAlertDeps, 'config'>): AssemblyLimits {
  return deps.config.streamingAlerts;
}
