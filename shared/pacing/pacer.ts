import type { Clock } from '../clock.js';
import type { Versioned } from '../runs/model.js';
import { applyPenalty, decideAdmission, emptyPacingState, releaseSession, type Admission, type PacingLimits, type PacingState } from './admission.js';

/**
 * Where pacing state lives. Writes are compare-and-swap on an etag, so any
 * number of workers sharing one store agree. (This walking skeleton ships the
 * in-process store; the tenant-wide Table Storage store is issue 3.)
 */
export interface PacingStore {
  load(): Promise<Versioned<PacingState>>;
  save(state: PacingState, etag: string): Promise<'ok' | 'conflict'>;
}

/** Process-local pacing store: correct for one process only. */
export class InProcessPacingStore implements PacingStore {
  private state: PacingState = emptyPacingState();
  private version = 0;
  load(): Promise<Versioned<PacingState>> {
    return Promise.resolve({ value: structuredClone(this.state), etag: String(this.version) });
  }
  save(state: PacingState, etag: string): Promise<'ok' | 'conflict'> {
    if (etag !== String(this.version)) return Promise.resolve('conflict');
    this.state = structuredClone(state);
    this.version += 1;
    return Promise.resolve('ok');
  }
}

export class Pacer {
  constructor(
    private readonly store: PacingStore,
    private readonly clock: Clock,
    private readonly limits: PacingLimits,
  ) {}

  /** Admit a submission for a device now, or say how long to wait. */
  async admit(request: { deviceId: string; runId: string }): Promise<Admission> {
    return this.update((state, nowMs) => {
      const decision = decideAdmission(state, nowMs, this.limits, request);
      return { next: decision.admit ? decision.state : undefined, result: decision };
    });
  }

  async release(deviceId: string, runId: string): Promise<void> {
    await this.update((state) => ({ next: releaseSession(state, deviceId, runId), result: undefined }));
  }

  async penalise(retryAfterMs: number): Promise<void> {
    await this.update((state, nowMs) => ({ next: applyPenalty(state, nowMs + retryAfterMs), result: undefined }));
  }

  async snapshot(): Promise<PacingState> {
    return (await this.store.load()).value;
  }

  private async update<R>(change: (state: PacingState, nowMs: number) => { next: PacingState | undefined; result: R }): Promise<R> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.store.load();
      const { next, result } = change(current.value, this.clock.nowMs());
      if (!next || (await this.store.save(next, current.etag)) === 'ok') return result;
    }
    throw new Error('pacing state is contended: 20 conflicting updates in a row');
  }
}
