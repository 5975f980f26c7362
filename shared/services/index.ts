import type { DeliveryInfo } from '../bus/port.js';
import { settleExpected, type ExpectedOutcome } from '../bus/settleExpected.js';
import type { Issue, Result } from '../result.js';
import { handleAlertMessage, type AlertOutcome } from './intake/alertIntake.js';
import { pollAlerts, type AlertPollOutcome } from './intake/alertPoller.js';
import { cachedDirectory } from './intake/deviceDirectory.js';
import { refreshDeviceDirectory, type RefreshOutcome } from './directory/refresh.js';
import { searchDevices, type DeviceSearchResult } from './directory/search.js';
import { dryRun, type DryRunResult } from './intake/dryRun.js';
import { handleCollectMessage, type CollectOutcome } from './evidence/collector.js';
import { deadLetterService, type DeadLetterService } from './deadLetters/deadLetters.js';
import type { Deps } from './deps.js';
import type { Principal } from '../auth/principal.js';
import { recordAudit, type AuditRecord } from './audit/record.js';
import { startManualRun, type IdempotencyConflict } from './intake/manualRuns.js';
import { cancelRun, type CancelDone } from './cancel/cancelRun.js';
import { handlePollTick, reviveTicks, type TickOutcome } from './polling/pollTick.js';
import { sweepRuns, type SweepOutcome } from './reconcile/sweep.js';
import { getRunStatus, type RunStatus } from './status/runStatus.js';
import { listRunSummaries, type RunList } from './status/runList.js';
import { listPlaybooks, type PlaybookList } from './status/playbookList.js';
import { listAuditEntries, type AuditList } from './audit/list.js';
import { checkHealth, type HealthReport } from './health/health.js';
import { listRunEvidence, type EvidenceList } from './evidenceAccess/evidenceList.js';
import { signEvidenceLink, type EvidenceLinkOutcome } from './evidenceAccess/evidenceLink.js';
import { responderStatus, type ResponderStatus } from './status/responderStatus.js';
import { sweepSchedules, type SweepResult } from './intake/schedules.js';
import type { StartedRun } from './intake/startRun.js';
import { handleActionMessage, type SubmitOutcome } from './submission/submitter.js';
import { handleNotifyMessage, type NotifyOutcome } from './notify/deliver.js';
import { notificationsOn } from './notify/emit.js';
import { notifyingBus } from './notify/notifyingBus.js';
import { notifyingRunStore } from './notify/notifyingRunStore.js';
import { queueOwedNotifications, type OwedOutcome } from './notify/queueOwed.js';
import { meteredBus } from '../telemetry/meteredBus.js';

/**
 * The operations the triggers call: one per trigger, each taking parsed input.
 * Each queue operation keeps the delivery contract: an expected failure its
 * handler lets escape is rescheduled or dead-lettered (settleExpected), so
 * only a bug reaches the trigger as a throw.
 */
export interface Services {
  deps: Deps;
  alerts(body: unknown, delivery: DeliveryInfo): Promise<AlertOutcome | ExpectedOutcome>;
  actions(body: unknown, delivery: DeliveryInfo): Promise<SubmitOutcome | ExpectedOutcome>;
  polls(body: unknown, delivery: DeliveryInfo): Promise<TickOutcome | ExpectedOutcome>;
  collect(body: unknown, delivery: DeliveryInfo): Promise<CollectOutcome | ExpectedOutcome>;
  /** One notification to one sink (webhook, Teams, the Defender alert). */
  notify(body: unknown, delivery: DeliveryInfo): Promise<NotifyOutcome | ExpectedOutcome>;
  startManualRun(body: unknown, requester: Principal): Promise<Result<StartedRun, Issue[] | IdempotencyConflict>>;
  runStatus(runId: string): Promise<RunStatus | undefined>;
  /** A page of run summaries, newest first, filtered (GET /api/runs; the query as it arrives). */
  listRuns(query: unknown): Promise<Result<RunList, Issue[]>>;
  listPlaybooks(): PlaybookList;
  /** A page of the run's stored files with their chain-of-custody facts (GET /api/runs/{id}/evidence); undefined for an unknown run. */
  runEvidence(runId: string, query: unknown): Promise<Result<EvidenceList, Issue[]> | undefined>;
  /** A short-lived read-only link to one blob of the run (POST /api/runs/{id}/evidence/link); the caller audits it. */
  evidenceLink(runId: string, body: unknown): Promise<EvidenceLinkOutcome>;
  /** A page of the audit log, newest first (GET /api/audit). */
  listAudit(query: unknown): Promise<Result<AuditList, Issue[]>>;
  /** Storage, bus and Defender token checks (GET /api/health); says nothing secret. */
  health(): Promise<HealthReport>;
  /** The pacing state and each queue's depth at a glance, read only (GET /api/status). */
  status(): Promise<ResponderStatus>;
  /** Cancels a run or one of its devices, reported per device (POST /api/runs/{id}/cancel); undefined for an unknown run. */
  cancelRun(runId: string, body: unknown, requester: Principal): Promise<Result<CancelDone, Issue[]> | undefined>;
  sweepSchedules(lookbackMs: number): Promise<SweepResult>;
  /** Renders a playbook against an alert or devices without submitting (POST /api/dryrun). */
  dryRun(body: unknown): Promise<Result<DryRunResult, Issue[]>>;
  /** The optional alert poller's timer (disabled unless ALERT_POLL_CRON is set). */
  pollAlerts(): Promise<AlertPollOutcome>;
  /** The device directory's timer: lists every machine into the cached directory intake reads. */
  refreshDeviceDirectory(): Promise<RefreshOutcome>;
  /** Devices from the cached directory by name, id or tag, a page at a time (GET /api/devices; the query as it arrives). */
  searchDevices(query: unknown): Promise<Result<DeviceSearchResult, Issue[]>>;
  /** Watchdog for the reconcile timer: revives the poll tick if its chain is lost. True when it did. */
  reviveTicks(): Promise<boolean>;
  /** The reconcile timer's sweep: re-drives device actions that made no progress (their messages lost). */
  sweepRuns(): Promise<SweepOutcome>;
  /** The reconcile timer's share of the notifications that could not be queued: queues them now. */
  queueOwedNotifications(): Promise<OwedOutcome>;
  /** Appends an operator action, or a refused attempt, to the audit log. */
  recordAudit(record: AuditRecord): Promise<void>;
  /** Dead letters: list, replay after a fix, purge (npm run deadletters). */
  deadLetters: DeadLetterService;
  close(): Promise<void>;
}

export function createServices(given: Deps, close: () => Promise<void> = () => Promise.resolve()): Services {
  const deps = withNotifications(withMetrics(given));
  return {
    deps,
    alerts: (body, delivery) => settleExpected(deps, 'alerts', body, delivery, () => handleAlertMessage(deps, body, delivery)),
    actions: (body, delivery) => settleExpected(deps, 'actions', body, delivery, () => handleActionMessage(deps, body, delivery)),
    polls: (body, delivery) => settleExpected(deps, 'polls', body, delivery, () => handlePollTick(deps, body, delivery)),
    collect: (body, delivery) => settleExpected(deps, 'collect', body, delivery, () => handleCollectMessage(deps, body, delivery)),
    notify: (body, delivery) => settleExpected(deps, 'notify', body, delivery, () => handleNotifyMessage(deps, body, delivery)),
    startManualRun: (body, requester) => startManualRun(deps, body, requester),
    runStatus: (runId) => getRunStatus(deps, runId),
    listRuns: (query) => listRunSummaries(deps, query),
    listPlaybooks: () => listPlaybooks(deps.playbooks),
    runEvidence: (runId, query) => listRunEvidence(deps, runId, query),
    evidenceLink: (runId, body) => signEvidenceLink(deps, runId, body),
    listAudit: (query) => listAuditEntries(deps, query),
    health: () => checkHealth(deps),
    status: () => responderStatus(deps),
    cancelRun: (runId, body, requester) => cancelRun(deps, runId, body, requester),
    sweepSchedules: (lookbackMs) => sweepSchedules(deps, lookbackMs),
    dryRun: (body) => dryRun({ playbooks: deps.playbooks, directory: cachedDirectory(deps), clock: deps.clock }, body),
    pollAlerts: () => {
      if (!deps.config.alertPoller.schedule) return Promise.resolve({ kind: 'disabled' as const });
      const { alertFeed: feed, watermarks } = deps;
      if (!feed) throw new Error('ALERT_POLL_CRON is set but the composition root gave no alertFeed');
      return pollAlerts({ ...deps, feed, watermarks });
    },
    refreshDeviceDirectory: () => refreshDeviceDirectory(deps),
    searchDevices: (query) => searchDevices(deps, query),
    reviveTicks: () => reviveTicks(deps),
    sweepRuns: () => sweepRuns(deps),
    queueOwedNotifications: () => queueOwedNotifications(deps),
    recordAudit: (record) => recordAudit(deps, record),
    deadLetters: deadLetterService(deps),
    close,
  };
}

/**
 * With a notification sink configured, the services write runs and
 * dead-letter messages through stores that queue the notifications those
 * changes call for (services/notify/); without one, the dependencies as given.
 */
function withNotifications(deps: Deps): Deps {
  if (!notificationsOn(deps.config.notify)) return deps;
  return { ...deps, runs: notifyingRunStore(deps.runs, deps), bus: notifyingBus(deps.bus, deps) };
}

/** With metrics on, the services send and dead-letter through the metered bus (due times stamped, dead letters counted). */
function withMetrics(deps: Deps): Deps {
  return deps.metrics ? { ...deps, bus: meteredBus(deps.bus, deps.metrics, deps.clock) } : deps;
}
