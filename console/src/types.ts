/**
 * What the operator API answers, as the console reads it. Types only (no
 * code): the console is compiled apart from the server, so it cannot import
 * the zod schemas; test/unit/console/wireTypes.test.ts checks at type-check
 * time that every answer the server's schemas allow fits these.
 */

export type Role = 'Responder.Read' | 'Responder.Run' | 'Responder.Cancel' | 'Responder.Evidence' | 'Responder.Admin';

/** GET /api/me */
export interface Caller {
  name: string;
  kind: 'user' | 'app';
  roles: Role[];
}

export type RunPhase = 'queued' | 'running' | 'collecting' | 'ended';
export type TriggerKind = 'alert' | 'manual' | 'schedule';
export type ActionStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'TimeOut' | 'Cancelled';
export type DeviceActionState = 'queued' | 'submitting' | 'submitted' | 'ended' | 'rejected' | 'cancelled';

export interface PlaybookRef {
  name: string;
  version: string;
  contentSha256: string;
}

/** One run of GET /api/runs. */
export interface RunSummary {
  runId: string;
  created: string;
  trigger: TriggerKind;
  triggeredBy: string;
  alertTitle?: string | undefined;
  reason?: string | undefined;
  playbook: PlaybookRef;
  phase: RunPhase;
  deviceCount: number;
}

export interface RunList {
  runs: RunSummary[];
  continuationToken?: string | undefined;
  note?: string | undefined;
}

export type Trigger =
  | { kind: 'alert'; alertId: string; alertTitle?: string | undefined }
  | { kind: 'manual'; requestedBy: string; reason?: string | undefined }
  | { kind: 'schedule'; playbook: string; firedAtMs: number };

export interface LiveResponseCommand {
  type: 'PutFile' | 'RunScript' | 'GetFile';
  params: { key: string; value: string }[];
}

export interface CommandOutcome {
  index: number;
  type: string;
  commandStatus: string;
  errors: string[];
  startTime?: string | null | undefined;
  endTime?: string | null | undefined;
}

export interface TranscriptSummary {
  exitCode: number | null;
  outputPreview: string;
  errorsPreview: string;
  outputChars: number;
  errorsChars: number;
  note?: string | undefined;
}

export interface EvidenceStatus {
  commandIndex: number;
  commandType: string;
  blobName: string;
  sizeBytes: number;
  sha256: string;
  contentEncoding?: string | undefined;
  originalSha256?: string | undefined;
  originalSizeBytes?: number | undefined;
  transcript?: TranscriptSummary | undefined;
}

export interface DeviceStatus {
  deviceId: string;
  deviceName?: string | undefined;
  state: DeviceActionState;
  queuedAt?: string | undefined;
  submittedAt?: string | undefined;
  endedAt?: string | undefined;
  actionId?: string | undefined;
  actionStatus?: ActionStatus | undefined;
  lastError?: string | undefined;
  cancelledBy?: string | undefined;
  cancelReason?: string | undefined;
  commands: LiveResponseCommand[];
  commandOutcomes: CommandOutcome[];
  evidence: EvidenceStatus[];
  evidencePending: number[];
  evidenceFailed: { commandIndex: number; reason: string }[];
}

/** GET /api/runs/{id} */
export interface RunStatus {
  runId: string;
  created?: string | undefined;
  phase: RunPhase;
  trigger: Trigger;
  playbook: PlaybookRef;
  refused: { deviceId: string; reason: string }[];
  devices: DeviceStatus[];
}

/** GET /api/playbooks */
export interface PlaybookSummary {
  name: string;
  version: string;
  contentSha256: string;
  description: string;
  triggers: TriggerKind[];
  schedule?: string | undefined;
}

export interface PlaybookList {
  playbooks: PlaybookSummary[];
}

/** POST /api/dryrun, the part the console shows. */
export interface DryRunPlan {
  playbook?: (PlaybookRef & { file: string }) | undefined;
  reasons: Record<string, string[]>;
  devices: { deviceId: string; deviceName?: string | undefined; commands: LiveResponseCommand[] }[];
  refused: { deviceId: string; reason: string }[];
}

export interface DryRunResult {
  note: string;
  plans: DryRunPlan[];
}

/** POST /api/runs */
export interface RunStarted {
  runId: string;
  statusUrl: string;
  devices: string[];
  refused: { deviceId: string; reason: string }[];
}

/** POST /api/runs/{id}/cancel */
export interface CancelReport {
  runId: string;
  devices: { deviceId: string; outcome: 'cancelled' | 'cancelling' | 'already-ended' | 'not-found'; detail: string }[];
}

/** POST /api/runs/{id}/evidence/link {blob}: a short-lived read-only link to one stored file. */
export interface EvidenceLink {
  blob: string;
  url: string;
  expiresAt: string;
}

/** The pipeline's queues (shared/bus/queues.ts). */
export type QueueName = 'alerts' | 'actions' | 'polls' | 'collect' | 'notify';

/** A part of GET /api/status that could not be read. */
export interface Unavailable {
  unavailable: string;
}

export type CountIs = 'exact' | 'atLeast' | 'approximate';

export interface Count {
  count: number;
  countIs: CountIs;
}

export interface Budget {
  used: number;
  limit: number;
  left: number;
}

export interface PacingAtAGlance {
  liveResponse: {
    callsInWindow: number;
    windowMs: number;
    limit: number;
    limitInForce: number;
    ceilingHoldsUntil?: string | undefined;
    reservedSlots: number;
    nextFreeSlot: string;
    perMinute: { minuteStart: string; calls: number }[];
  };
  sessions: { inUse: number; limit: number };
  /** `waiting`: devices holding a reserved send slot (not the runs in waiting lines). */
  devices: { waiting: number; backingOff: number };
  waitingLines: WaitingLinesAtAGlance;
  penalty: { inForce: false } | { inForce: true; until: string };
  statusBudget: { lastMinute: Budget; lastHour: Budget };
}

/** Runs waiting in the devices' lines for a device another of our runs holds. */
export interface WaitingLinesAtAGlance {
  waiters: number;
  waitersLimit: number;
  devices: number;
  perDeviceLimit: number;
  longest: { deviceId: string; waiters: number; firstWaiterFallback: string }[];
}

export interface QueueAtAGlance {
  messages: Count & { oldestReadyAgeMs?: number | undefined; oldestReadyAgeIs: 'exact' | 'atLeast' };
  deadLetters: { poison: Count; native?: Count | undefined };
}

/** Notifications the notify queue did not take, owed until the reconcile timer queues them (counted up to a bound). */
export interface NotificationsAtAGlance {
  owed: { count: number; countIs: 'exact' | 'atLeast'; oldestAgeMs?: number | undefined; oldestAgeIs: 'exact' | 'atLeast' };
}

/** GET /api/status */
export interface ResponderStatus {
  at: string;
  pacing: PacingAtAGlance | Unavailable;
  queues: Record<string, QueueAtAGlance | Unavailable>;
  notifications: NotificationsAtAGlance | Unavailable;
}

/** One entry of GET /api/deadletters: the body only as a redacted preview. */
export interface DeadLetterEntry {
  id: string;
  queue: QueueName;
  source: 'poison' | 'native';
  reason: string;
  description: string;
  messageId: string;
  originalMessageId?: string | undefined;
  firstSeenMs: number;
  deliveryCount?: number | undefined;
  preview: string;
  previewTruncated: boolean;
}

/** GET /api/deadletters */
export interface DeadLetterListing {
  entries: DeadLetterEntry[];
  next?: string | undefined;
  scanLimitReached?: boolean | undefined;
}

/** POST /api/deadletters/replay and /purge */
export interface DeadLetterReport {
  outcomes: (
    | { id: string; outcome: 'replayed'; replayMessageId: string }
    | { id: string; outcome: 'purged' }
    | { id: string; outcome: 'not-found' }
    | { id: string; outcome: 'refused'; detail: string }
  )[];
  counts: { replayed: number; purged: number; 'not-found': number; refused: number };
}

/** One device of GET /api/devices. */
export interface DirectoryDevice {
  id: string;
  name?: string | undefined;
  tags: string[];
  osPlatform?: string | undefined;
  healthStatus?: string | undefined;
}

/** GET /api/devices */
export interface DeviceSearchResult {
  devices: DirectoryDevice[];
  continuationToken?: string | undefined;
  refreshedAt?: string | undefined;
}
