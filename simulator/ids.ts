import { createHash, createHmac } from 'node:crypto';

/** A GUID (version-4 layout) from the first 16 bytes of a hash. */
function guidOf(b: Buffer): string {
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A GUID that depends on `name` alone (not on the seed), e.g. the default app id of another app. */
export const guidFromName = (name: string): string => guidOf(createHash('sha256').update(`name:${name}`).digest());

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
    return guidOf(this.next(kind));
  }

  /** A device id (40 hexadecimal characters) for devices outside the fleet. */
  deviceId(kind: string): string {
    return this.next(kind).toString('hex').slice(0, 40);
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
