import { z } from 'zod';
import { describePrincipal, type Principal } from '../../auth/principal.js';
import { fail, ok, type Result, type Issue } from '../../result.js';
import { manualRunId } from '../../runs/ids.js';
import { toIssues } from '../../validation.js';
import type { IntakeDeps } from './deps.js';
import type { Playbook } from '../../playbooks/schema.js';
import { cachedDirectory, staticDirectory, type DeviceDirectory } from './deviceDirectory.js';
import { knownFacts } from './alertDevices.js';
import { lookUpDevices } from '../directory/lookUp.js';
import { planRun, selectTargets, startRun, type RunTarget, type StartedRun } from './startRun.js';

/** Body of POST /api/runs. */
export const manualRunRequestSchema = z.strictObject({
  playbook: z.string().min(1),
  /** Omitted: the devices the playbook's `where` selects. */
  devices: z
    .array(z.string().regex(/^[0-9a-fA-F]{40}$/, 'a 40-hex-digit Defender device id'))
    .min(1)
    .max(500)
    .optional(),
  /** Why (a ticket, an incident): required, kept in the run's trigger and the audit log. */
  reason: z.string().trim().min(1, 'required: why this run (a ticket or incident)').max(500),
  /** Optional: the same key returns the same run instead of starting another. */
  idempotencyKey: z.string().min(8).max(128).optional(),
});
export type ManualRunRequest = z.infer<typeof manualRunRequestSchema>;

/**
 * Starts a manual run from a validated request. Expected failures (bad body,
 * unknown playbook, playbook not allowed for manual runs) come back as issues
 * naming the field, for a 400.
 */
export async function startManualRun(deps: IntakeDeps, body: unknown, requester: Principal): Promise<Result<StartedRun, Issue[]>> {
  // The chain of custody names the verified caller: name and Entra object id.
  const requestedBy = describePrincipal(requester);
  const parsed = manualRunRequestSchema.safeParse(body);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const request = parsed.data;
  const loaded = deps.playbooks.find((p) => p.playbook.name === request.playbook);
  if (!loaded) {
    return fail([
      {
        path: 'playbook',
        message: `no playbook named "${request.playbook}"; known: ${deps.playbooks.map((p) => p.playbook.name).join(', ')}`,
      },
    ]);
  }
  if (!loaded.playbook.triggers.includes('manual')) {
    return fail([
      {
        path: 'playbook',
        message: `playbook "${request.playbook}" does not allow manual runs (triggers: ${loaded.playbook.triggers.join(', ')})`,
      },
    ]);
  }
  const targets = await manualTargets(cachedDirectory(deps), loaded.playbook, request.devices);
  if (!targets.ok) return targets;
  const plan = await planRun(deps, {
    runId: manualRunId(request.idempotencyKey),
    trigger: { kind: 'manual', requestedBy, reason: request.reason },
    playbook: loaded,
    directory: await targetsDirectory(deps, loaded.playbook, targets.value.targets),
    ...targets.value,
  });
  return ok(await startRun(deps, plan));
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
