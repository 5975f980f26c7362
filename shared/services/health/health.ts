import { z } from 'zod';
import { withinTime } from '../../concurrency/withinTime.js';
import type { Deps } from '../deps.js';

export const HEALTH_CHECKS = ['settings', 'storage', 'bus', 'defenderToken'] as const;
export type HealthCheck = (typeof HEALTH_CHECKS)[number];

const checkStateSchema = z.object({
  state: z.enum(['ok', 'failing', 'not checked']),
  /** Why it failed or was not checked: the error's kind and redacted text, never a secret or a link. */
  detail: z.string().optional(),
});

export const healthReportSchema = z.object({
  status: z.enum(['ok', 'failing']),
  checks: z.object({
    /** Always ok when the app answers: a bad setting stops it at start-up. */
    settings: checkStateSchema,
    storage: checkStateSchema,
    bus: checkStateSchema,
    defenderToken: checkStateSchema,
  }),
});
export type HealthReport = z.infer<typeof healthReportSchema>;
type CheckState = z.infer<typeof checkStateSchema>;

const DETAIL_CHARS = 200;

/**
 * Runs every check at once, each bounded by HEALTH_CHECK_TIMEOUT_MS of wall
 * time (a network wait, like DEFENDER_REQUEST_TIMEOUT_MS). Says nothing
 * secret: a failure is reported by its error's name and redacted text.
 */
export async function checkHealth(deps: Pick<Deps, 'health' | 'config'>): Promise<HealthReport> {
  const timeoutMs = deps.config.operatorApi.healthCheckTimeoutMs;
  const run = (probe: (() => Promise<void>) | undefined, absent: string): Promise<CheckState> =>
    probe ? bounded(probe, timeoutMs) : Promise.resolve({ state: 'not checked', detail: absent });
  const [storage, bus, defenderToken] = await Promise.all([
    run(() => deps.health.storage(), ''),
    run(deps.health.bus, 'no cheap check for this bus'),
    run(() => deps.health.defenderToken(), ''),
  ]);
  const checks = { settings: { state: 'ok' as const }, storage, bus, defenderToken };
  return { status: Object.values(checks).some((c) => c.state === 'failing') ? 'failing' : 'ok', checks };
}

async function bounded(probe: () => Promise<void>, timeoutMs: number): Promise<CheckState> {
  const checked = await withinTime(probe, timeoutMs, DETAIL_CHARS);
  return checked.ok ? { state: 'ok' } : { state: 'failing', detail: checked.reason };
}
