import { z } from 'zod';
import { fail, ok, type Result, type Issue } from '../result.js';
import { manualRunId } from '../runs/ids.js';
import { toIssues } from '../validation.js';
import type { Deps } from './deps.js';
import { planRun, startRun, type StartedRun } from './startRun.js';

/** Body of POST /api/runs. */
export const manualRunRequestSchema = z.strictObject({
  playbook: z.string().min(1),
  devices: z.array(z.string().regex(/^[0-9a-fA-F]{40}$/, 'a 40-hex-digit Defender device id')).min(1).max(500),
  reason: z.string().max(500).optional(),
  /** Optional: the same key returns the same run instead of starting another. */
  idempotencyKey: z.string().min(8).max(128).optional(),
});
export type ManualRunRequest = z.infer<typeof manualRunRequestSchema>;

/**
 * Starts a manual run from a validated request. Expected failures (bad body,
 * unknown playbook, playbook not allowed for manual runs) come back as issues
 * naming the field, for a 400.
 */
export async function startManualRun(deps: Deps, body: unknown, requestedBy: string): Promise<Result<StartedRun, Issue[]>> {
  const parsed = manualRunRequestSchema.safeParse(body);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const request = parsed.data;
  const loaded = deps.playbooks.find((p) => p.playbook.name === request.playbook);
  if (!loaded) {
    return fail([{ path: 'playbook', message: `no playbook named "${request.playbook}"; known: ${deps.playbooks.map((p) => p.playbook.name).join(', ')}` }]);
  }
  if (!loaded.playbook.triggers.includes('manual')) {
    return fail([{ path: 'playbook', message: `playbook "${request.playbook}" does not allow manual runs (triggers: ${loaded.playbook.triggers.join(', ')})` }]);
  }
  if (loaded.playbook.steps.some((s) => s.type === 'RunScript' && s.args.some((a) => a.from.startsWith('alert.')))) {
    return fail([{ path: 'playbook', message: `playbook "${request.playbook}" takes values from an alert and cannot run manually` }]);
  }
  const devices = [...new Set(request.devices.map((d) => d.toLowerCase()))];
  const plan = await planRun(deps, {
    runId: manualRunId(request.idempotencyKey),
    trigger: { kind: 'manual', requestedBy, reason: request.reason },
    playbook: loaded,
    targets: devices.map((id) => ({ id })),
  });
  return ok(await startRun(deps, plan));
}
