import type { ActionStore } from './actions.js';
import { budgetFor, type Budget } from './budgets.js';
import type { DeviceState } from './devices.js';
import type { IdSource } from './ids.js';
import type { OtherApp, OtherAppCall } from './otherApps.js';
import type { LimiterAdmission } from './rateLimits.js';
import type { SimulatorSettings } from './settings.js';
import type { StatsRecorder } from './stats.js';
import type { Strictness } from './strictness.js';

/** What placing another app's call needs of the simulated tenant. */
export interface OtherAppTenant {
  readonly settings: SimulatorSettings;
  readonly strictness: Strictness;
  readonly ids: IdSource;
  readonly actions: ActionStore;
  readonly stats: StatsRecorder;
  admit(budget: Budget, nowMs: number): LimiterAdmission;
  deviceBusy(deviceId: string, nowMs: number): boolean;
  device(id: string): DeviceState | undefined;
}

interface Target {
  readonly machineId: string;
  readonly computerDnsName: string;
}

/** The next free device of its round, or a new device outside the fleet; undefined when every device of its round is busy. */
function targetOf(tenant: OtherAppTenant, app: OtherApp, atMs: number): Target | undefined {
  const ids = app.spec.deviceIds;
  if (!ids) {
    const machineId = tenant.ids.deviceId(`otherAppDevice:${app.spec.name}`);
    return { machineId, computerDnsName: `${app.spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-target-${app.nextCall}` };
  }
  for (let i = 0; i < ids.length; i++) {
    const at = (app.nextDevice + i) % ids.length;
    const device = tenant.device(ids[at] ?? '');
    if (!device || tenant.deviceBusy(device.id, atMs)) continue;
    app.nextDevice = at + 1;
    return { machineId: device.id, computerDnsName: device.spec.computerDnsName };
  }
  return undefined;
}

/**
 * Another app's runliveresponse call at `atMs`, checked as ours are: its
 * rate limit (its app's bucket, or the tenant's with `quotaScope: tenant`),
 * a busy device (400), the session limit (429); an admitted call opens a
 * session, an action in the store with the app as requestor.
 */
export function placeOtherAppCall(tenant: OtherAppTenant, { app, atMs }: OtherAppCall): void {
  const counters = tenant.stats.otherApp(app.spec.name);
  counters.calls += 1;
  const s = tenant.settings;
  if (!tenant.admit(budgetFor('liveResponse', 'runLiveResponse', app.owner, s, tenant.strictness), atMs).ok) {
    counters.throttled += 1;
    return;
  }
  const target = targetOf(tenant, app, atMs);
  if (!target) {
    counters.activeRequestRejections += 1;
    return;
  }
  if (tenant.actions.sessionsOf(app.owner, tenant.strictness.quotaScope, s.sessionsCountPending) >= s.maxConcurrentSessions) {
    counters.sessionLimitRejections += 1;
    counters.throttled += 1;
    return;
  }
  tenant.actions.create({
    id: tenant.ids.guid('otherAppAction'),
    ...target,
    requestor: app.owner.appId,
    owner: app.owner,
    otherApp: app.spec.name,
    createdMs: atMs,
    request: { commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: `${app.spec.name}.ps1` }] }], comment: null },
  });
  counters.actionsCreated += 1;
}
