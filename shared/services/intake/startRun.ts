import type { Alert, DeviceOs } from '../../alerts/alert.js';
import type { LoadedPlaybook, Playbook } from '../../playbooks/schema.js';
import { renderCommands } from '../../playbooks/render.js';
import { correlationComment } from '../../runs/ids.js';
import type { DeviceAction, Run, Trigger } from '../../runs/model.js';
import type { DeviceDirectory } from './deviceDirectory.js';
import type { StartRunDeps } from './deps.js';
import { describeError } from '../../errors.js';
import { arrivalForSlot } from '../../pacing/sendSlots.js';
import { enqueueSubmit } from '../submission/queueing.js';

/** Submission messages sent at once when a run starts. */
const SEND_BATCH = 16;

export interface RunTarget {
  id: string;
  name?: string;
  /** Known tags (from Defender); looked up when the playbook excludes tags and they are not given. */
  tags?: string[];
  /** The device's OS family, when known: alert values are validated by its path rules. */
  os?: DeviceOs;
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
 * for device look-ups in the directory). A device is refused, with the
 * reason, when a value fails its validator, when it carries an excluded tag
 * (or Defender does not know it and tags are excluded), or beyond the
 * playbook's maximum. The playbook's deadline becomes each action's
 * `deadlineMs`.
 */
export async function planRun(
  deps: Pick<StartRunDeps, 'clock'>,
  input: {
    runId: string;
    trigger: Trigger;
    playbook: LoadedPlaybook;
    targets: RunTarget[];
    directory: DeviceDirectory;
    alert?: Alert;
    /** The targets are a selection that may have been cut at its limit. */
    selectionTruncated?: boolean;
  },
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
    const excluded = await excludedBy(input.directory, playbook.safety.excludeTags, target);
    if (excluded) {
      refused.push({ deviceId: target.id, reason: excluded });
      continue;
    }
    const rendered = renderCommands(playbook, { deviceId: target.id, runToken: input.runId, alert: input.alert, os: target.os });
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
      deadlineMs: playbook.limits.deadlineMs === undefined ? undefined : nowMs + playbook.limits.deadlineMs,
      createdMs: nowMs,
      updatedMs: nowMs,
    });
  }
  if (input.selectionTruncated) {
    refused.push({ deviceId: '*', reason: `more devices may match; the selection stopped at ${input.targets.length}` });
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
export async function startRun(deps: StartRunDeps, plan: RunPlan): Promise<StartedRun> {
  const outcome = await deps.runs.createRun(plan.run, plan.actions);
  const view = outcome === 'created' ? plan : await deps.runs.getRun(plan.run.runId);
  if (!view) throw new Error(`run ${plan.run.runId} exists but cannot be read`);
  const queued = view.actions.filter((a) => a.state === 'queued');
  const slots = await bookSlots(deps, queued);
  // Queue the submissions a few at a time; a booked one comes back (the send lead early) for its slot.
  for (let i = 0; i < queued.length; i += SEND_BATCH) {
    await Promise.all(
      queued.slice(i, i + SEND_BATCH).map((action) => {
        const slotMs = slots.get(action.deviceId);
        const nowMs = deps.clock.nowMs();
        return slotMs === undefined
          ? enqueueSubmit(deps, action, nowMs)
          : enqueueSubmit(deps, action, arrivalForSlot(slotMs, nowMs, deps.pacer.limits), 'slot');
      }),
    );
  }
  deps.logger.log('info', outcome === 'created' ? 'run started' : 'run already exists; queued submissions re-sent', {
    runId: plan.run.runId,
    playbook: plan.run.playbook.name,
    devices: view.actions.length,
    refused: view.run.refused.length,
  });
  return { run: view.run, actions: view.actions, created: outcome === 'created' };
}

/**
 * Books every device's send slot in one write, so a run over hundreds of
 * devices reaches the ledger at once rather than one message at a time. A
 * device left unbooked (held, backing off, ledger full, or the pacing state
 * too contended just now) is queued to ask for its slot itself.
 */
async function bookSlots(deps: Pick<StartRunDeps, 'pacer' | 'logger'>, queued: readonly DeviceAction[]): Promise<Map<string, number>> {
  try {
    return await deps.pacer.bookSlots(queued.map((a) => ({ deviceId: a.deviceId, runId: a.runId })));
  } catch (error) {
    deps.logger.log('warn', 'could not book send slots for the run; each submission will ask for its own', {
      runId: queued[0]?.runId,
      error: describeError(error),
    });
    return new Map();
  }
}

/** Room for devices beyond the maximum, so that a selection that is too broad shows up as refusals. */
const SELECTION_SLACK = 25;

/** The devices a playbook's `where` selects, up to its maximum plus some slack. */
export async function selectTargets(
  directory: DeviceDirectory,
  playbook: Playbook,
): Promise<{ targets: RunTarget[]; selectionTruncated: boolean }> {
  if (!playbook.where) return { targets: [], selectionTruncated: false };
  const limit = playbook.limits.maxDevices + SELECTION_SLACK;
  const devices = await directory.select(playbook.where, limit);
  return { targets: devices.map((d) => ({ id: d.id, name: d.name, tags: d.tags })), selectionTruncated: devices.length >= limit };
}

/** Why a device's tags exclude it, or undefined. Tags come with the target, else from the directory. */
async function excludedBy(directory: DeviceDirectory, excludeTags: string[], target: RunTarget): Promise<string | undefined> {
  if (excludeTags.length === 0) return undefined;
  const tags = target.tags ?? (await directory.describe(target.id))?.tags;
  if (!tags) {
    return 'the device is not in the device directory (Defender does not know it, or it is newer than the last refresh), so its tags (safety.excludeTags) cannot be checked';
  }
  const lower = new Set(tags.map((t) => t.toLowerCase()));
  const found = excludeTags.find((t) => lower.has(t.toLowerCase()));
  return found ? `device carries excluded tag ${found}` : undefined;
}
