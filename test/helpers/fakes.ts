import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import type { DeadLetterReason, MessageBus, OutgoingMessage, QueueLook, QueueName, QueueProbe } from '../../shared/bus/port.js';
import { ManualClock, type Clock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import type {
  AlertFeed,
  AlertQuery,
  DefenderApi,
  DownloadedResult,
  LibraryAdminApi,
  LibraryUpload,
  MachineActionQuery,
} from '../../shared/defender/port.js';
import type { LibraryFile, Machine, MachineAction, RunLiveResponseRequest } from '../../shared/defender/types.js';
import { silentLogger } from '../../shared/log.js';
import { pacingLimitsOf } from '../../shared/pacing/limits.js';
import { Pacer } from '../../shared/pacing/pacer.js';
import { MemoryOwedNotificationStore } from './memoryOwedNotificationStore.js';
import { InProcessAlertAssemblyStore, InProcessPacingStore, InProcessWatermarkStore } from './casStores.js';
import { FakeEvidenceLinks } from './fakeEvidenceLinks.js';
import { MemoryAuditLog } from './memoryAuditLog.js';
import { parsePlaybook } from '../../shared/playbooks/loader.js';
import { MemoryDeadLetterStore } from './memoryDeadLetterStore.js';
import { MemoryEvidenceStore } from './memoryEvidenceStore.js';
import { MemoryRunStore } from './memoryRunStore.js';
import { MemoryDeviceDirectoryStore } from './memoryDeviceDirectoryStore.js';
import type { Deps } from '../../shared/services/deps.js';

/** Fakes for unit tests of the services. Production code never uses them. */

export { MemoryDeadLetterStore } from './memoryDeadLetterStore.js';
export { MemoryEvidenceStore } from './memoryEvidenceStore.js';
export { MemoryRunStore } from './memoryRunStore.js';
export { MemoryDeviceDirectoryStore } from './memoryDeviceDirectoryStore.js';

export interface SentMessage extends OutgoingMessage {
  queue: QueueName;
}

export class RecordingBus implements MessageBus {
  sent: SentMessage[] = [];
  deadLettered: { queue: QueueName; body: unknown; reason: DeadLetterReason }[] = [];
  /** Queues whose sends fail with this error (the bus down for them), until deleted. */
  refuse: Partial<Record<QueueName, Error>> = {};
  /** Set by detectDuplicates: when each message id was last taken, per queue. */
  private duplicates?: { clock: Clock; windowMs: number; sentMs: Map<string, number> };
  /** Sends dropped as duplicates (detectDuplicates). */
  dropped: SentMessage[] = [];
  /** Drops a second send of one message id to one queue within `windowMs`, as Service Bus's duplicate detection does. */
  detectDuplicates(clock: Clock, windowMs: number): this {
    this.duplicates = { clock, windowMs, sentMs: new Map() };
    return this;
  }
  send(queue: QueueName, message: OutgoingMessage): Promise<void> {
    const refused = this.refuse[queue];
    if (refused) return Promise.reject(refused);
    if (this.duplicates) {
      const { clock, windowMs, sentMs } = this.duplicates;
      const key = `${queue}|${message.messageId}`;
      const lastMs = sentMs.get(key);
      if (lastMs !== undefined && clock.nowMs() - lastMs < windowMs) {
        this.dropped.push({ queue, ...message });
        return Promise.resolve();
      }
      sentMs.set(key, clock.nowMs());
    }
    this.sent.push({ queue, ...message });
    return Promise.resolve();
  }
  deadLetter(queue: QueueName, body: unknown, reason: DeadLetterReason): Promise<void> {
    this.deadLettered.push({ queue, body, reason });
    return Promise.resolve();
  }
  take(queue: QueueName): SentMessage[] {
    const taken = this.sent.filter((m) => m.queue === queue);
    this.sent = this.sent.filter((m) => m.queue !== queue);
    return taken;
  }
}

/** A queue probe whose looks each test scripts (an Error: the look fails); unscripted queues look empty. */
export class ScriptedQueueProbe implements QueueProbe {
  looks: Partial<Record<QueueName, QueueLook | Error>> = {};
  look(queue: QueueName): Promise<QueueLook> {
    const scripted = this.looks[queue];
    if (scripted instanceof Error) return Promise.reject(scripted);
    const empty: QueueLook = {
      messages: { count: 0, countIs: 'exact', oldestReadyAgeIs: 'exact' },
      deadLetters: { poison: { count: 0, countIs: 'exact' } },
    };
    return Promise.resolve(scripted ?? empty);
  }
}

type Handler<A extends unknown[], R> = (...args: A) => Promise<R>;

/** A Defender API whose answers each test scripts; every call is recorded. */
export class ScriptedDefender implements DefenderApi, AlertFeed, LibraryAdminApi {
  calls: { method: string; args: unknown[] }[] = [];
  onRunLiveResponse: Handler<[string, RunLiveResponseRequest], MachineAction> = () => Promise.reject(new Error('not scripted'));
  onGetMachineAction: Handler<[string], MachineAction> = () => Promise.reject(new Error('not scripted'));
  onListMachineActions: Handler<[MachineActionQuery], MachineAction[]> = () => Promise.resolve([]);
  onCancel: Handler<[string, string], MachineAction> = () => Promise.reject(new Error('not scripted'));
  onLink: Handler<[string, number], string> = (id, i) => Promise.resolve(`https://x.blob.core.windows.net/${id}/${i}`);
  onDownload: Handler<[string], DownloadedResult> = () => Promise.resolve({ body: Readable.from([Buffer.from('{}')]) });
  onMachines: Handler<[], Machine[]> = () => Promise.resolve([]);
  onMachine: Handler<[string], Machine> = (id) => Promise.resolve({ id, machineTags: [] });
  onLibrary: Handler<[], LibraryFile[]> = () => Promise.resolve([]);
  onUpload: Handler<[LibraryUpload], LibraryFile> = (u) => Promise.resolve({ fileName: u.fileName });
  onDelete: Handler<[string], void> = () => Promise.resolve();
  onAlerts: Handler<[AlertQuery], unknown[]> = () => Promise.resolve([]);
  onCommentOnAlert: Handler<[string, string], void> = () => Promise.resolve();

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
  }
  runLiveResponse(id: string, request: RunLiveResponseRequest): Promise<MachineAction> {
    this.record('runLiveResponse', [id, request]);
    return this.onRunLiveResponse(id, request);
  }
  getMachineAction(id: string): Promise<MachineAction> {
    this.record('getMachineAction', [id]);
    return this.onGetMachineAction(id);
  }
  listMachineActions(q: MachineActionQuery): Promise<MachineAction[]> {
    this.record('listMachineActions', [q]);
    return this.onListMachineActions(q);
  }
  cancelMachineAction(id: string, c: string): Promise<MachineAction> {
    this.record('cancelMachineAction', [id, c]);
    return this.onCancel(id, c);
  }
  getResultDownloadLink(id: string, i: number): Promise<string> {
    this.record('getResultDownloadLink', [id, i]);
    return this.onLink(id, i);
  }
  downloadResult(url: string): Promise<DownloadedResult> {
    this.record('downloadResult', [url]);
    return this.onDownload(url);
  }
  listMachines(): Promise<Machine[]> {
    this.record('listMachines', []);
    return this.onMachines();
  }
  getMachine(id: string): Promise<Machine> {
    this.record('getMachine', [id]);
    return this.onMachine(id);
  }
  listLibraryFiles(): Promise<LibraryFile[]> {
    this.record('listLibraryFiles', []);
    return this.onLibrary();
  }
  uploadLibraryFile(u: LibraryUpload): Promise<LibraryFile> {
    this.record('uploadLibraryFile', [u]);
    return this.onUpload(u);
  }
  deleteLibraryFile(name: string): Promise<void> {
    this.record('deleteLibraryFile', [name]);
    return this.onDelete(name);
  }
  commentOnAlert(alertId: string, comment: string): Promise<void> {
    this.record('commentOnAlert', [alertId, comment]);
    return this.onCommentOnAlert(alertId, comment);
  }
  listAlerts(q: AlertQuery): Promise<unknown[]> {
    this.record('listAlerts', [q]);
    return this.onAlerts(q);
  }
}

export function machineAction(overrides: Partial<MachineAction> & { id: string; machineId: string }): MachineAction {
  return {
    type: 'LiveResponse',
    status: 'Pending',
    creationDateTimeUtc: '2026-11-20T09:00:00Z',
    commands: [],
    ...overrides,
  };
}

export const DEVICE = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';

/** Services' dependencies wired to fakes, with the shipped playbooks. */
export function fakeDeps(overrides: Partial<Deps> = {}): Deps & {
  clock: ManualClock;
  bus: RecordingBus;
  deadLetters: MemoryDeadLetterStore;
  queueProbe: ScriptedQueueProbe;
  runs: MemoryRunStore;
  evidence: MemoryEvidenceStore;
  defender: ScriptedDefender;
  devices: MemoryDeviceDirectoryStore;
  audit: MemoryAuditLog;
  owedNotifications: MemoryOwedNotificationStore;
} {
  const config = loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' });
  const clock = new ManualClock();
  const playbooks = ['process-memory-dump.yaml', 'collect-hosts-file.yaml'].map((f) =>
    parsePlaybook(readFileSync(`playbooks/${f}`, 'utf8'), f),
  );
  const bus = new RecordingBus();
  const base = {
    config,
    clock,
    logger: silentLogger,
    bus,
    deadLetters: new MemoryDeadLetterStore(bus, clock),
    queueProbe: new ScriptedQueueProbe(),
    runs: new MemoryRunStore(),
    evidence: new MemoryEvidenceStore(),
    evidenceLinks: new FakeEvidenceLinks(clock),
    defender: new ScriptedDefender(),
    devices: new MemoryDeviceDirectoryStore(),
    playbooks,
    assemblies: new InProcessAlertAssemblyStore(),
    collectorVersion: 'test',
    pacer: new Pacer(new InProcessPacingStore(), clock, pacingLimitsOf(config)),
    watermarks: new InProcessWatermarkStore(),
    owedNotifications: new MemoryOwedNotificationStore(),
    audit: new MemoryAuditLog(),
    health: { storage: () => Promise.resolve(), bus: () => Promise.resolve(), defenderToken: () => Promise.resolve() },
  };
  const deps = { ...base, ...overrides };
  // A wait on a manual clock is time passing: the clock moves to the instant waited for.
  const waitUntil = (atMs: number): Promise<void> => {
    if (deps.clock instanceof ManualClock && atMs > deps.clock.nowMs()) deps.clock.set(atMs);
    return Promise.resolve();
  };
  return { waitUntil, ...deps } as ReturnType<typeof fakeDeps>;
}
