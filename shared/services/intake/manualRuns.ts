import { createHash } from 'node:crypto';
import { z } from 'zod';
import { describePrincipal, type Principal } from '../../auth/principal.js';
import { fail, ok, type Result, type Issue } from '../../result.js';
import { manualRunId } from '../../runs/ids.js';
import { toIssues } from '../../validation.js';
import type { IntakeDeps } from './deps.js';
import type { Playbook } from '../../playbooks/schema.js';
import type { Run } from '../../runs/model.js';
import { cachedDirectory, staticDirectory, type DeviceDirectory } from './deviceDirectory.js';
import { knownFacts } from './alertDevices.js';
import { lookUpDevices } from '../directory/lookUp.js';
import { planRun, selectTargets, startRun, type RunTarget, type StartedRun } from './startRun.js';

/** Devices one manual run (or dry run) may name; a larger fleet is several runs, or a playbook's `where`. */
export const MANUAL_RUN_MAX_DEVICES = 500;

/** Body of POST /api/runs. */
export const manualRunRequestSchema = z.strictObject({
  playbook: z.string().min(1),
  /** Omitted: the devices the playbook's `where` selects. */
  devices: z
    .array(z.string().regex(/^[0-9a-fA-F]{40}$/, 'a 40-hex-digit Defender device id'))
    .min(1)
    .max(MANUAL_RUN_MAX_DEVICES)
    .optional(),
  /** Why (a ticket, an incident): required, kept in the run's trigger and the audit log. */
  reason: z.string().trim().min(1, 'required: why this run (a ticket or incident)').max(500),
  /** Optional: the same key returns the same run instead of starting another. */
  idempotencyKey: z.string().min(8).max(128).optional(),
});
export type ManualRunRequest = z.infer<typeof manualRunRequestSchema>;

/**
 * A manual run's idempotency key was used before by another caller or for
 * another request (a 409): the key names one request by one caller.
 */
export class IdempotencyConflict {
  readonly path = 'idempotencyKey';
  constructor(readonly message: string) {}
}

/**
 * Starts a manual run from a validated request. Expected failures (bad body,
 * unknown playbook, playbook not allowed for manual runs) come back as issues
 * naming every bad field at once, for a 400; an idempotency key reused by
 * another caller or with other parameters comes back as an
 * IdempotencyConflict, for a 409. The same key, caller and request answer
 * the run already started.
 */
export async function startManualRun(
  deps: IntakeDeps,
  body: unknown,
  requester: Principal,
): Promise<Result<StartedRun, Issue[] | IdempotencyConflict>> {
  // The chain of custody names the verified caller: name and Entra object id.
  const requestedBy = describePrincipal(requester);
  const parsed = manualRunRequestSchema.safeParse(body);
  const named = playbookNamed(deps, parsed.success ? parsed.data.playbook : playbookField(body));
  if (!parsed.success) return fail([...toIssues(parsed.error), ...(named.ok ? [] : named.errors)]);
  if (!named.ok) return named;
  const request = parsed.data;
  const loaded = named.value;
  const targets = await manualTargets(cachedDirectory(deps), loaded.playbook, request.devices);
  if (!targets.ok) return targets;
  const runId = manualRunId(request.idempotencyKey);
  const idempotency = request.idempotencyKey ? { callerId: requester.objectId, requestSha256: requestDigest(request) } : undefined;
  if (idempotency) {
    const earlier = await deps.runs.getRun(runId);
    if (earlier)
      return sameRequest(earlier.run.idempotency, idempotency)
        ? ok(await startRun(deps, { run: earlier.run, actions: earlier.actions }))
        : conflict();
  }
  const plan = await planRun(deps, {
    runId,
    trigger: { kind: 'manual', requestedBy, reason: request.reason },
    playbook: loaded,
    directory: await targetsDirectory(deps, loaded.playbook, targets.value.targets),
    ...targets.value,
  });
  const started = await startRun(deps, { ...plan, run: { ...plan.run, ...(idempotency ? { idempotency } : {}) } });
  // Another request with this key may have created the run between the read and the create.
  return started.created || sameRequest(started.run.idempotency, idempotency) ? ok(started) : conflict();
}

function conflict(): Result<never, IdempotencyConflict> {
  return fail(new IdempotencyConflict('this idempotency key was already used by another caller or for another request; use a new key'));
}

function sameRequest(a: Run['idempotency'], b: Run['idempotency']): boolean {
  return a !== undefined && b !== undefined && a.callerId === b.callerId && a.requestSha256 === b.requestSha256;
}

/** What the key stands for: the playbook, the devices (as a set) or their selection, and the reason. */
function requestDigest(request: ManualRunRequest): string {
  const devices = request.devices ? [...new Set(request.devices.map((d) => d.toLowerCase()))].sort() : null;
  return createHash('sha256')
    .update(JSON.stringify([request.playbook, devices, request.reason]))
    .digest('hex');
}

/** The body's playbook name when it is a string, so an unknown name is reported beside other invalid fields. */
function playbookField(body: unknown): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).playbook : undefined;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The playbook a manual run names, if there is one by that name and it allows manual runs. */
function playbookNamed(deps: IntakeDeps, name: string | undefined): Result<IntakeDeps['playbooks'][number], Issue[]> {
  if (name === undefined) return fail([]);
  const loaded = deps.playbooks.find((p) => p.playbook.name === name);
  if (!loaded) {
    return fail([
      { path: 'playbook', message: `no playbook named "${name}"; known: ${deps.playbooks.map((p) => p.playbook.name).join(', ')}` },
    ]);
  }
  if (!loaded.playbook.triggers.includes('manual')) {
    return fail([
      { path: 'playbook', message: `playbook "${name}" does not allow manual runs (triggers: ${loaded.playbook.triggers.join(', ')})` },
    ]);
  }
  return ok(loaded);
}

/**
 * The facts the safety check needs of the devices named by id, read from the
 * cached directory in one go (a device it does not hold is looked up while
 * the miss allowance lasts, else refused with the reason): no Defender call
 * per device, so a run over 500 devices answers at once.
 */
async function targetsDirectory(deps: IntakeDeps, playbook: Playbook, targets: readonly RunTarget[]): Promise<DeviceDirectory> {
  const untagged = targets.filter((t) => t.tags === undefined).map((t) => t.id);
  if (playbook.safety.excludeTags.length === 0 || untagged.length === 0) return staticDirectory([]);
  return staticDirectory(knownFacts(await lookUpDevices(deps, untagged)));
}

/**
 * The devices of a manual run: the list given (deduplicated; safety and the
 * maximum still apply), else the playbook's `where` selection.
 */
export async function manualTargets(
  directory: DeviceDirectory,
  playbook: Playbook,
  devices: string[] | undefined,
): Promise<Result<{ targets: RunTarget[]; selectionTruncated: boolean }, Issue[]>> {
  if (devices) return ok({ targets: [...new Set(devices.map((d) => d.toLowerCase()))].map((id) => ({ id })), selectionTruncated: false });
  if (!playbook.where) {
    return fail([{ path: 'devices', message: `required: playbook "${playbook.name}" has no where to select devices` }]);
  }
  return ok(await selectTargets(directory, playbook));
}
