import { z } from 'zod';
import { osOf, type Alert } from '../../alerts/alert.js';
import { parseAlerts } from '../../alerts/parseAlert.js';
import { deviceIdField } from '../../alerts/fields.js';
import type { Clock } from '../../clock.js';
import { matchReasons, needsDeviceFacts, selectPlaybook, type DeviceFacts } from '../../playbooks/match.js';
import type { LoadedPlaybook } from '../../playbooks/schema.js';
import { readsAlert } from '../../playbooks/steps.js';
import { fail, ok, type Issue, type Result } from '../../result.js';
import { alertRunId } from '../../runs/ids.js';
import { toIssues } from '../../validation.js';
import type { DeviceDirectory } from './deviceDirectory.js';
import { MANUAL_RUN_MAX_DEVICES, manualTargets } from './manualRuns.js';
import { planRun, type RunPlan } from './startRun.js';
import type { DryRunPlan, DryRunResult } from './dryRunResultSchema.js';

export type { DryRunPlan, DryRunResult } from './dryRunResultSchema.js';

/** Body of POST /api/dryrun (and what the dry-run CLI builds). */
export const dryRunRequestSchema = z
  .strictObject({
    /** Omitted with an alert: the playbook that would answer it. */
    playbook: z.string().min(1).optional(),
    /** An alert message in any accepted shape. */
    alert: z.unknown().optional(),
    /** Devices for a manual-style dry run; omitted: the playbook's `where`. */
    devices: z.array(deviceIdField).min(1).max(MANUAL_RUN_MAX_DEVICES).optional(),
  })
  .refine((r) => r.alert !== undefined || r.playbook !== undefined, {
    path: ['playbook'],
    message: 'give an alert, or a playbook (with devices, or one whose where selects them)',
  });
export type DryRunRequest = z.infer<typeof dryRunRequestSchema>;

export interface DryRunDeps {
  playbooks: readonly LoadedPlaybook[];
  directory: DeviceDirectory;
  clock: Clock;
}

/** The run id a manual dry run shows; the real run gets its own. */
export const DRY_RUN_MANUAL_ID = 'm-dryrun';

/**
 * Renders a playbook against an alert or a device list exactly as a real
 * run would (same matching, same validators, same safety checks, same run
 * ids for alerts) and returns the commands. Nothing is recorded, queued or
 * submitted.
 */
export async function dryRun(deps: DryRunDeps, body: unknown): Promise<Result<DryRunResult, Issue[]>> {
  const parsed = dryRunRequestSchema.safeParse(body);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const request = parsed.data;
  const named = request.playbook === undefined ? undefined : deps.playbooks.find((p) => p.playbook.name === request.playbook);
  if (request.playbook !== undefined && !named) {
    return fail([
      {
        path: 'playbook',
        message: `no playbook named "${request.playbook}"; known: ${deps.playbooks.map((p) => p.playbook.name).join(', ')}`,
      },
    ]);
  }
  const result: DryRunResult = { note: 'dry run: nothing was recorded, queued or submitted', alerts: [], rejectedAlerts: [], plans: [] };
  if (request.alert === undefined) {
    if (!named) return fail([{ path: 'playbook', message: 'required without an alert' }]);
    if (readsAlert(named.playbook.steps))
      return fail([{ path: 'alert', message: `playbook "${named.playbook.name}" takes values from an alert: give one` }]);
    const targets = await manualTargets(deps.directory, named.playbook, request.devices);
    if (!targets.ok) return targets;
    const plan = await planRun(deps, {
      runId: DRY_RUN_MANUAL_ID,
      trigger: { kind: 'manual', requestedBy: 'dry run' },
      playbook: named,
      directory: deps.directory,
      ...targets.value,
    });
    result.plans.push(toPlan(plan, named, { trigger: 'manual', wouldAnswer: true, reasons: {} }));
    return ok(result);
  }
  const batch = parseAlerts(request.alert);
  if (!batch.ok) return fail(batch.errors.map((i) => ({ ...i, path: `alert.${i.path}` })));
  if (batch.value.shape === 'streaming')
    result.note += '; streaming records were assembled by AlertId in process, as if every record had arrived';
  result.rejectedAlerts = batch.value.rejected.map((r) => ({ alertId: r.alertId, issues: r.issues }));
  for (const alert of batch.value.alerts) {
    result.alerts.push({
      id: alert.id,
      source: alert.source,
      title: alert.title,
      severity: alert.severity,
      category: alert.category,
      detectionSource: alert.detectionSource,
      serviceSource: alert.serviceSource,
      mitreTechniques: alert.mitreTechniques,
      devices: alert.devices,
      problems: alert.problems,
    });
    for (const device of alert.devices) result.plans.push(await planForAlert(deps, alert, device.id, named));
  }
  return ok(result);
}

async function planForAlert(deps: DryRunDeps, alert: Alert, deviceId: string, named: LoadedPlaybook | undefined): Promise<DryRunPlan> {
  const alertDevice = alert.devices.find((d) => d.id === deviceId);
  const known = needsDeviceFacts(deps.playbooks) || named ? await deps.directory.describe(deviceId) : undefined;
  const facts: DeviceFacts = {
    id: deviceId,
    name: known?.name ?? alertDevice?.name,
    tags: known?.tags ?? alertDevice?.tags,
    osPlatform: known?.osPlatform ?? alertDevice?.osPlatform,
  };
  const reasons = Object.fromEntries(deps.playbooks.map((p) => [p.playbook.name, matchReasons(p.playbook, alert, facts)]));
  const selected = selectPlaybook(deps.playbooks, alert, facts);
  const chosen = named ?? selected;
  const base = {
    trigger: 'alert' as const,
    alertId: alert.id,
    deviceId,
    reasons,
    wouldAnswer: chosen !== undefined && chosen === selected,
  };
  if (!chosen) return { ...base, devices: [], refused: [] };
  const runId = alertRunId(
    alert.id,
    chosen.playbook.name,
    deviceId,
    chosen.playbook.rerun === 'onUpdate' ? { lastUpdatedMs: alert.lastUpdatedMs } : undefined,
  );
  const plan = await planRun(deps, {
    runId,
    trigger: { kind: 'alert', alertId: alert.id, alertTitle: alert.title },
    playbook: chosen,
    targets: [{ id: deviceId, name: facts.name, tags: known?.tags, os: osOf(facts.osPlatform) ?? alertDevice?.os }],
    directory: deps.directory,
    alert,
  });
  return toPlan(plan, chosen, base);
}

function toPlan(plan: RunPlan, loaded: LoadedPlaybook, base: Omit<DryRunPlan, 'playbook' | 'runId' | 'devices' | 'refused'>): DryRunPlan {
  return {
    ...base,
    playbook: { ...plan.run.playbook, file: loaded.file.split(/[\\/]/).pop() ?? loaded.file },
    runId: plan.run.runId,
    devices: plan.actions.map((a) => ({ deviceId: a.deviceId, deviceName: a.deviceName, commands: a.commands, deadlineMs: a.deadlineMs })),
    refused: plan.run.refused,
  };
}
