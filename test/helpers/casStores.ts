import { alertAssemblySchema, MAX_ASSEMBLY_CHARS, type AlertAssembly } from '../../shared/alerts/assembly.js';
import type { AlertAssemblyStore } from '../../shared/alerts/assemblyStore.js';
import { MAX_POLL_CURSOR_CHARS, pollCursorSchema, type PollCursor, type WatermarkStore } from '../../shared/alerts/watermarkStore.js';
import { NotFoundError, PermanentError, ValidationError } from '../../shared/errors.js';
import type { PacingStore } from '../../shared/pacing/pacer.js';
import { emptyPacingState, pacingStateSchema, type PacingState } from '../../shared/pacing/state.js';
import type { Versioned } from '../../shared/runs/model.js';
import { toIssues } from '../../shared/validation.js';

/**
 * In-memory compare-and-swap stores for unit tests. Like the Table adapters
 * they keep JSON text and check it against the same schema when it is read,
 * so a state the adapter would refuse is refused here too (see
 * test/contracts/pacingStore.contract.ts, watermarkStore.contract.ts and
 * assemblyStore.contract.ts).
 */

/** The pacing state of one process; starts empty, as the Table store's first load does. */
export class InProcessPacingStore implements PacingStore {
  private json = JSON.stringify(emptyPacingState());
  private version = 0;

  load(): Promise<Versioned<PacingState>> {
    const parsed = pacingStateSchema.safeParse(JSON.parse(this.json));
    if (!parsed.success) return Promise.reject(new ValidationError('the pacing state in memory is not valid', toIssues(parsed.error)));
    return Promise.resolve({ value: parsed.data, etag: String(this.version) });
  }

  save(state: PacingState, etag: string): Promise<'ok' | 'conflict'> {
    if (etag !== String(this.version)) return Promise.resolve('conflict');
    this.json = JSON.stringify(state);
    this.version += 1;
    return Promise.resolve('ok');
  }
}

/** Poll cursors of one process. */
export class InProcessWatermarkStore implements WatermarkStore {
  private readonly cursors = new Map<string, { json: string; version: number }>();

  load(name: string): Promise<Versioned<PollCursor> | undefined> {
    const found = this.cursors.get(name);
    if (!found) return Promise.resolve(undefined);
    const parsed = pollCursorSchema.safeParse(JSON.parse(found.json));
    if (!parsed.success) return Promise.reject(new PermanentError(`watermark ${name} in memory is not valid`));
    return Promise.resolve({ value: parsed.data, etag: String(found.version) });
  }

  save(name: string, cursor: PollCursor, etag: string | undefined): Promise<'ok' | 'conflict'> {
    const json = JSON.stringify(cursor);
    if (json.length > MAX_POLL_CURSOR_CHARS) {
      return Promise.reject(new PermanentError(`watermark ${name} grew to ${json.length} characters, over ${MAX_POLL_CURSOR_CHARS}`));
    }
    const found = this.cursors.get(name);
    if (etag !== undefined && found === undefined) return Promise.reject(new NotFoundError(`writing watermark ${name}: none is stored`));
    if (found !== undefined && String(found.version) !== etag) return Promise.resolve('conflict');
    this.cursors.set(name, { json, version: (found?.version ?? 0) + 1 });
    return Promise.resolve('ok');
  }
}

/** Streamed alerts being assembled, in one process. */
export class InProcessAlertAssemblyStore implements AlertAssemblyStore {
  private readonly assemblies = new Map<string, { json: string; version: number }>();

  load(alertId: string): Promise<Versioned<AlertAssembly> | undefined> {
    const found = this.assemblies.get(alertId);
    if (!found) return Promise.resolve(undefined);
    const parsed = alertAssemblySchema.safeParse(JSON.parse(found.json));
    if (!parsed.success) return Promise.reject(new PermanentError(`the assembly of alert ${alertId} in memory is not valid`));
    return Promise.resolve({ value: parsed.data, etag: String(found.version) });
  }

  save(assembly: AlertAssembly, etag: string | undefined): Promise<'ok' | 'conflict'> {
    const json = JSON.stringify(assembly);
    if (json.length > MAX_ASSEMBLY_CHARS) {
      return Promise.reject(new PermanentError(`the assembly of alert ${assembly.alertId} grew to ${json.length} characters`));
    }
    const found = this.assemblies.get(assembly.alertId);
    if (etag !== undefined && found === undefined) return Promise.reject(new NotFoundError(`no assembly of alert ${assembly.alertId}`));
    if (found !== undefined && String(found.version) !== etag) return Promise.resolve('conflict');
    this.assemblies.set(assembly.alertId, { json, version: (found?.version ?? 0) + 1 });
    return Promise.resolve('ok');
  }
}
