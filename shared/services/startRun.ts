import type { Alert } from '../alerts/alert.js';
import type { LoadedPlaybook } from '../playbooks/schema.js';
import { renderCommands } from '../playbooks/render.js';
import { correlationComment } from '../runs/ids.js';
import type { DeviceAction, Run, Trigger } from '../runs/model.js';
import type { Deps } from './deps.js';
import { enqueueSubmit } from './queueing.js';

export interface RunTarget {
  id: string;
  name?: string;
  /** Known tags (from Defender); looked up when the playbook excludes tags and they are not given. */
  tags?: string[];
}

export interface RunPlan {
  run: Run;
  actions: DeviceAction[];
}

export interface StartedRun extends RunPlan {
  /** false when this run already existed (a redelivered trigger). */
  created: boolean;
}

/**
 * Renders a playbook for each target device into the run record (pure but
 * for the device-tag look-up). A device is refused, with the reason, when a
 * value fails its validator, when it carries an excluded tag, or beyond the
 * playbook's maximum.
 */
export async function planRun(
  deps: Pick<Deps, 'clock' | 'defender'>,
  input: { runId: string; trigger: Trigger; playbook: LoadedPlaybook; targets: RunTarget[]; alert?: Alert },
): Promise<RunPlan> {
  const { playbook } = input.playbook;
  const nowMs = deps.clock.nowMs();
  const refused: Run['refused'] = [];
  const actions: DeviceAction[] = [];
  for (const target of input.targets) {
    if (actions.length >= playbook.limits.maxDevices) {
      refused.push({ deviceId: target.id, reason: `beyond the playbook's maximum of ${playbook.limits.maxDevices} devices` });
      continue;
    }
    const excluded = await excludedTag(deps, playbook.safety.excludeTags, target);
    if (excluded) {
      refused.push({ deviceId: target.id, reason: `device carries excluded tag ${excluded}` });
      continue;
    }
    const rendered = renderCommands(playbook, { deviceId: target.id, runToken: input.runId, alert: input.alert });
    if (!rendered.ok) {
      refused.push({ deviceId: target.id, reason: rendered.errors });
      continue;
    }
    actions.push({
      runId: input.runId,
      deviceId: target.id,
      deviceName: target.name,
      commands: rendered.value.commands,
      comment: correlationComment(input.runId, target.id, playbook.name),
      state: 'queued',
      commandOutcomes: [],
      collectIndexes: rendered.value.collectIndexes,
      submitAttempts: 0,
      createdMs: nowMs,
      updatedMs: nowMs,
    });
  }
  const run: Run = {
    runId: input.runId,
    createdMs: nowMs,
    trigger: input.trigger,
    playbook: { name: playbook.name, version: playbook.version, contentSha256: input.playbook.contentSha256 },
    deviceIds: actions.map((a) => a.deviceId),
    refused,
  };
  return { run, actions };
}

/**
 * Records the run and queues one submission per device. Idempotent: when the
 * run already exists (a redelivered trigger), submissions still queued are
 * queued again, so a crash between recording and queueing loses nothing.
 */
export async function startRun(deps: Deps, plan: RunPlan): Promise<StartedRun> {
  const outcome = await deps.runs.createRun(plan.run, plan.actions);
  const view = outcome === 'created' ? plan : await deps.runs.getRun(plan.run.runId);
  if (!view) throw new Error(`run ${plan.run.runId} exists but cannot be read`);
  for (const action of view.actions) {
    if (action.state === 'queued') await enqueueSubmit(deps, action, deps.clock.nowMs());
  }
  deps.logger.log('info', outcome === 'created' ? 'run started' : 'run already exists; queued submissions re-sent', {
    runId: plan.run.runId,
    playbook: plan.run.playbook.name,
    devices: view.actions.length,
    refused: view.run.refused.length,
  });
  return { run: view.run, actions: view.actions, created: outcome === 'created' };
}

async function excludedTag(deps: Pick<Deps, 'defender'>, excludeTags: string[], target: RunTarget): Promise<string | undefined> {
  if (excludeTags.length === 0) return undefined;
  const tags = target.tags ?? (await deps.defender.getMachine(target.id)).machineTags;
  const lower = new Set(tags.map((t) => t.toLowerCase()));
  return excludeTags.find((t) => lower.has(t.toLowerCase()));
}
