import { z } from 'zod';
import { MAX_CREATED_MS, type Run } from '../../runs/model.js';

/**
 * Where a runs list stopped: before `beforeMs`, having read the first `skip`
 * runs created in the millisecond just before it (the store orders runs of
 * one millisecond the same way every time). A position, not a store page,
 * so filters applied while reading can stop anywhere in a page.
 */
export interface RunCursor {
  beforeMs: number;
  skip: number;
}

const cursorSchema = z.strictObject({
  b: z.number().int().min(1).max(MAX_CREATED_MS),
  k: z.number().int().min(0).max(1_000_000),
});

export function encodeRunCursor(cursor: RunCursor): string {
  return Buffer.from(JSON.stringify({ b: cursor.beforeMs, k: cursor.skip })).toString('base64url');
}

/** The cursor a token holds; null when the token is not one encodeRunCursor made. */
export function decodeRunCursor(token: string): RunCursor | null {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return parsed.success ? { beforeMs: parsed.data.b, skip: parsed.data.k } : null;
  } catch {
    return null;
  }
}

/** Follows the runs read, newest first, to say where the next page starts. */
export class RunCursorTracker {
  private lastMs: number | undefined;
  private readInLastMs = 0;
  private toSkip: number;

  constructor(from: RunCursor | undefined) {
    this.lastMs = from === undefined ? undefined : from.beforeMs - 1;
    this.readInLastMs = from?.skip ?? 0;
    this.toSkip = from?.skip ?? 0;
  }

  /** True for a run an earlier page already read (to be passed over). */
  alreadyListed(run: Run): boolean {
    if (this.toSkip > 0 && run.createdMs === this.lastMs) {
      this.toSkip -= 1;
      return true;
    }
    this.toSkip = 0;
    return false;
  }

  read(run: Run): void {
    if (run.createdMs === this.lastMs) this.readInLastMs += 1;
    else {
      this.lastMs = run.createdMs;
      this.readInLastMs = 1;
    }
  }

  /** The position after the last run read. */
  position(): RunCursor {
    return { beforeMs: (this.lastMs ?? MAX_CREATED_MS - 1) + 1, skip: this.readInLastMs };
  }
}
