import { z } from 'zod';
import { describePrincipal, type Principal } from '../../auth/principal.js';
import { fail, ok, type Issue, type Result } from '../../result.js';
import { toIssues } from '../../validation.js';
import { cancelDevice, type DeviceCancel } from './cancelDevice.js';
import type { CancelDeps } from './deps.js';

/** Body of POST /api/runs/{id}/cancel. */
export const cancelRequestSchema = z.strictObject({
  /** Why (a ticket, an incident): required, recorded on each action, sent to Defender and kept in the audit log. */
  reason: z.string().trim().min(1, 'required: why cancel (a ticket or incident)').max(500),
  /** Only this device of the run; omitted: every device. */
  deviceId: z
    .string()
    .regex(/^[0-9a-fA-F]{40}$/, 'a 40-hex-digit Defender device id')
    .optional(),
});

/** The answer: each device's outcome. */
export interface CancelReport {
  runId: string;
  devices: DeviceCancel[];
}

/** The report, with the reason as validated (for the audit log). */
export interface CancelDone {
  report: CancelReport;
  reason: string;
}

/**
 * Cancels a run, or one device of it (cancelDevice.ts says what happens at
 * each state), and reports per device. Idempotent: asked again, it answers
 * the same without calling Defender for what is already cancelled. Issues
 * name the field for a 400; undefined when no run has that id.
 */
export async function cancelRun(
  deps: CancelDeps,
  runId: string,
  body: unknown,
  requester: Principal,
): Promise<Result<CancelDone, Issue[]> | undefined> {
  const parsed = cancelRequestSchema.safeParse(body);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const view = await deps.runs.getRun(runId);
  if (!view) return undefined;
  const wanted = parsed.data.deviceId?.toLowerCase();
  const request = { by: describePrincipal(requester), reason: parsed.data.reason };
  const targets = wanted === undefined ? view.actions : view.actions.filter((a) => a.deviceId === wanted);
  if (wanted !== undefined && targets.length === 0) {
    const refused = view.run.refused.find((r) => r.deviceId === wanted);
    const detail = refused ? `refused when the run started: ${refused.reason}` : `device ${wanted} is not part of run ${runId}`;
    return ok({ report: { runId, devices: [{ deviceId: wanted, outcome: 'not-found', detail }] }, reason: request.reason });
  }
  const devices: DeviceCancel[] = [];
  for (const action of targets) devices.push(await cancelDevice(deps, action, request));
  deps.logger.log('info', 'run cancel asked', {
    runId,
    deviceId: wanted,
    outcomes: devices.map((d) => `${d.deviceId.slice(0, 12)}:${d.outcome}`).join(','),
  });
  return ok({ report: { runId, devices }, reason: request.reason });
}
