import { createHash, randomUUID } from 'node:crypto';

/**
 * Run ids double as the token our scripts use to name their output, so they
 * use only lower-case letters, digits and `-`. Alert and schedule runs get
 * ids derived from business fields, so a redelivered or repeated trigger finds
 * the run it already started.
 */
export function alertRunId(alertId: string, playbookName: string, deviceId: string, update?: { lastUpdatedMs?: number }): string {
  // A playbook with `rerun: onUpdate` folds the alert's last update into the id: an updated alert is a new run.
  const suffix = update ? `|updated=${update.lastUpdatedMs ?? 'unknown'}` : '';
  return `a-${digest(`alert|${alertId}|${playbookName}|${deviceId}${suffix}`)}`;
}

export function scheduleRunId(playbookName: string, firedAtMs: number): string {
  return `s-${digest(`schedule|${playbookName}|${firedAtMs}`)}`;
}

export function manualRunId(idempotencyKey?: string): string {
  return `m-${idempotencyKey ? digest(`manual|${idempotencyKey}`) : randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

/** The shape every run id has (a kind letter, `-`, up to 40 lower-case letters and digits): checks an id given from outside. */
export function isRunId(text: string): boolean {
  return /^[a-z]-[a-z0-9]{1,40}$/.test(text);
}

/** The Comment sent with each action: it carries the correlation token that finds the action again. */
export function correlationComment(runId: string, deviceId: string, playbook: string): string {
  return `mde-responder ${correlationToken(runId, deviceId)} playbook=${playbook}`;
}

export function correlationToken(runId: string, deviceId: string): string {
  return `corr=${runId}.${deviceId.slice(0, 12)}`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}
