import { createHash, createHmac } from 'node:crypto';

/**
 * Deterministic identifiers: every id is a hash of (seed, kind, counter), so
 * the same fleet, seed and request sequence give the same ids. Each kind has
 * its own counter, so error targets never shift action ids.
 */
export class IdSource {
  private readonly counters = new Map<string, number>();

  constructor(private readonly seed: number) {}

  private next(kind: string): Buffer {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return createHash('sha256').update(`${this.seed}:${kind}:${n}`).digest();
  }

  /** A GUID (version-4 layout) for entities such as machine actions. */
  guid(kind: string): string {
    const b = this.next(kind);
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }

  /** An error correlation target, unique per response, shaped like the observed `|b1838e63-40a6640ddd2719ac.`. */
  target(): string {
    const h = this.next('target').toString('hex');
    return `|${h.slice(0, 8)}-${h.slice(8, 24)}.`;
  }

  /** A secret derived from the seed (for link signatures). */
  key(purpose: string): Buffer {
    return createHmac('sha256', `mde-simulator:${this.seed}`).update(purpose).digest();
  }
}
