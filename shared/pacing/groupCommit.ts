import type { Clock } from '../clock.js';
import { casRetry, conflict, DEFAULT_CAS_ATTEMPTS, settled, type CasAttempt } from '../concurrency/casRetry.js';
import type { Versioned } from '../runs/model.js';

/** A document read and written with compare-and-swap on an etag. */
export interface CasStore<S> {
  load(): Promise<Versioned<S>>;
  save(state: S, etag: string): Promise<'ok' | 'conflict'>;
}

/** A pure change: from (state, now) to the next state (undefined: nothing to write) and a result. */
export type Change<S, R> = (state: S, nowMs: number) => { next: S | undefined; result: R };

interface Pending<S> {
  change: Change<S, unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

/** Changes applied in one write at most; more wait for the next. */
const MAX_BATCH = 64;

/**
 * Applies changes to a shared document with optimistic concurrency, and
 * commits the changes that arrive while a write is in flight together: one
 * read, each change applied in arrival order, one write. Ten submissions
 * admitted at once by one instance cost one compare-and-swap, not ten that
 * race each other. On a conflict (another instance wrote first) the whole
 * batch is decided again on the fresh document, so every result is the one a
 * serial order would give.
 */
export class GroupCommitter<S> {
  private pending: Pending<S>[] = [];
  private flushing = false;

  constructor(
    private readonly store: CasStore<S>,
    private readonly clock: Clock,
    /** Compare-and-swap attempts before giving up (the callers' messages are then retried by their queues). */
    private readonly maxAttempts = DEFAULT_CAS_ATTEMPTS,
  ) {}

  apply<R>(change: Change<S, R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ change, resolve: (r) => resolve(r as R), reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) await this.commit(this.pending.splice(0, MAX_BATCH));
    } finally {
      this.flushing = false;
    }
  }

  private async commit(batch: Pending<S>[]): Promise<void> {
    try {
      const outcomes = await casRetry('pacing state', () => this.attempt(batch), {
        maxAttempts: this.maxAttempts,
        // Lost the race: step aside for a moment (jittered, growing) so racing writers spread out.
        pauseMs: (attempt) => Math.random() * Math.min(50, 2 * attempt),
      });
      batch.forEach((item, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok) item.resolve(outcome.result);
        else item.reject(outcome?.error);
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }

  /** One read, each change applied in arrival order, one conditional write. */
  private async attempt(batch: Pending<S>[]): Promise<CasAttempt<Outcome[]>> {
    const current = await this.store.load();
    const nowMs = this.clock.nowMs();
    let state = current.value;
    let changed = false;
    const outcomes = batch.map((item): Outcome => {
      try {
        const { next, result } = item.change(state, nowMs);
        if (next) {
          state = next;
          changed = true;
        }
        return { ok: true, result };
      } catch (error) {
        return { ok: false, error };
      }
    });
    if (!changed || (await this.store.save(state, current.etag)) === 'ok') return settled(outcomes);
    return conflict;
  }
}
