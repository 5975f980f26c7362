import { osOf, type Alert } from '../../alerts/alert.js';
import { isUnsupportedShape, parseAlerts } from '../../alerts/parseAlert.js';
import type { DeliveryInfo } from '../../bus/port.js';
import { matchReasons, selectPlaybook, type DeviceFacts } from '../../playbooks/match.js';
import { alertRunId } from '../../runs/ids.js';
import type { Issue } from '../../result.js';
import { describeIssues } from '../../validation.js';
import type { IntakeDeps } from './deps.js';
import { deferAlert, knownFacts, lookUpAlertDevices } from './alertDevices.js';
import { staticDirectory } from './deviceDirectory.js';
import { planRun, startRun } from './startRun.js';
import { addStreamedRows, markAnswered, streamedAlertDue, streamedAlertMessageSchema, type AssemblyStep } from './streamedAlerts.js';

export type AlertOutcome =
  | { kind: 'dead-lettered'; reason: string }
  | { kind: 'no-device'; alertId: string }
  | { kind: 'no-playbook'; alertId: string; reasons: Record<string, string[]> }
  | { kind: 'started'; alertId: string; runIds: string[]; created: boolean[] }
  /** A device of the alert is missing from the device directory: the alert was sent again for after its next refresh. */
  | { kind: 'deferred'; alertId: string; devices: string[]; retryAtMs: number }
  /** A streamed alert not answered now: still assembling, late rows recorded, or nothing new. */
  | Exclude<AssemblyStep, { kind: 'ready' }>
  /** A message that carried several alerts (streaming records, a collection page): one outcome each. */
  | { kind: 'batch'; outcomes: AlertOutcome[] };

/**
 * One message in: normalise every alert it carries, pick for each alert
 * device the playbook that answers it, start one run per (alert, playbook,
 * device). A malformed message, or a malformed alert within a multi-alert
 * message, is dead-lettered with the reason and causes no Defender call.
 * The run id is derived from (alert, playbook, device) — plus the alert's
 * last update time when the playbook says `rerun: onUpdate` — so the same
 * alert delivered again, or updated, starts nothing new. Device facts (tags,
 * OS) come from the cached device directory, never from a Defender call per
 * alert; an alert whose device the directory does not hold yet is deferred
 * (see alertDevices.ts).
 */
export async function handleAlertMessage(deps: IntakeDeps, body: unknown, delivery: DeliveryInfo): Promise<AlertOutcome> {
  const own = streamedAlertMessageSchema.safeParse(body);
  if (own.success) return answerStep(deps, await streamedAlertDue(deps, own.data.streamedAlert), delivery);
  const parsed = parseAlerts(body);
  if (!parsed.ok) return deadLetter(deps, body, delivery, describeRefusal(parsed.errors));
  const batch = parsed.value;
  if (batch.ignoredRecords > 0)
    deps.logger.log('info', 'streaming records of other tables passed over', {
      messageId: delivery.messageId,
      count: batch.ignoredRecords,
    });
  const outcomes: AlertOutcome[] = [];
  for (const [index, rejected] of batch.rejected.entries())
    outcomes.push(await deadLetter(deps, rejected.body, delivery, describeRefusal(rejected.issues, rejected.alertId), `rejected-${index}`));
  if (batch.streamed) {
    // Streamed rows are assembled with the rows of other messages of the same alert (streamedAlerts.ts).
    for (const group of batch.streamed) outcomes.push(await answerStep(deps, await addStreamedRows(deps, group), delivery));
  } else {
    for (const [index, alert] of batch.alerts.entries()) outcomes.push(await answerAlert(deps, alert, batch.bodies[index], delivery));
  }
  const [only] = outcomes;
  return outcomes.length === 1 && only ? only : { kind: 'batch', outcomes };
}

/** Answers a streamed alert the assembler says is ready, then records that it was answered. */
async function answerStep(deps: IntakeDeps, step: AssemblyStep, delivery: DeliveryInfo): Promise<AlertOutcome> {
  if (step.kind !== 'ready') return step;
  const outcome = await answerAlert(deps, step.alert, step.body, delivery);
  await markAnswered(deps, step);
  return outcome;
}

async function answerAlert(deps: IntakeDeps, alert: Alert, body: unknown, delivery: DeliveryInfo): Promise<AlertOutcome> {
  if (alert.devices.length === 0) {
    deps.logger.log('info', 'alert names no Defender device; nothing to run', { alertId: alert.id, source: alert.source });
    return { kind: 'no-device', alertId: alert.id };
  }
  const lookUps = await lookUpAlertDevices(deps, alert);
  const deferred = await deferAlert(deps, alert, body, delivery, lookUps);
  if (deferred) return deferred;
  const directory = staticDirectory(knownFacts(lookUps));
  const runIds: string[] = [];
  const created: boolean[] = [];
  let reasons: Record<string, string[]> = {};
  for (const device of alert.devices) {
    const known = await directory.describe(device.id);
    const facts: DeviceFacts = {
      id: device.id,
      name: known?.name ?? device.name,
      tags: known?.tags ?? device.tags,
      osPlatform: known?.osPlatform ?? device.osPlatform,
    };
    const chosen = selectPlaybook(deps.playbooks, alert, facts);
    if (!chosen) {
      reasons = Object.fromEntries(deps.playbooks.map((p) => [p.playbook.name, matchReasons(p.playbook, alert, facts)]));
      deps.logger.log('info', 'no playbook answers this alert on this device', {
        alertId: alert.id,
        deviceId: device.id,
        title: alert.title,
      });
      continue;
    }
    const runId = alertRunId(
      alert.id,
      chosen.playbook.name,
      device.id,
      chosen.playbook.rerun === 'onUpdate' ? { lastUpdatedMs: alert.lastUpdatedMs } : undefined,
    );
    const plan = await planRun(deps, {
      runId,
      trigger: { kind: 'alert', alertId: alert.id, alertTitle: alert.title },
      playbook: chosen,
      targets: [{ id: device.id, name: facts.name, tags: known?.tags, os: osOf(facts.osPlatform) ?? device.os }],
      directory,
      alert,
    });
    const started = await startRun(deps, plan);
    runIds.push(runId);
    created.push(started.created);
  }
  return runIds.length > 0 ? { kind: 'started', alertId: alert.id, runIds, created } : { kind: 'no-playbook', alertId: alert.id, reasons };
}

async function deadLetter(
  deps: Pick<IntakeDeps, 'bus' | 'logger'>,
  body: unknown,
  delivery: DeliveryInfo,
  refusal: { reason: string; description: string },
  part?: string,
): Promise<AlertOutcome> {
  const { reason, description } = refusal;
  await deps.bus.deadLetter('alerts', body, {
    reason,
    description,
    originalMessageId: delivery.messageId,
    ...(part === undefined ? {} : { part }),
  });
  deps.logger.log('warn', 'alert dead-lettered', { messageId: delivery.messageId, reason: description });
  return { kind: 'dead-lettered', reason: description };
}

/** `UnsupportedAlertShape` with what the payload looked like, or `MalformedAlert` naming every field that is wrong. */
function describeRefusal(issues: readonly Issue[], alertId?: string): { reason: string; description: string } {
  if (isUnsupportedShape(issues)) return { reason: 'UnsupportedAlertShape', description: issues.map((i) => i.message).join('; ') };
  return {
    reason: 'MalformedAlert',
    description: `malformed alert${alertId ? ` ${alertId.slice(0, 80)}` : ''}: ${describeIssues(issues)}`,
  };
}
