import type { Deps } from '../deps.js';

/** What the dead-letter operations need (a subset of Deps). */
export type DeadLetterDeps = Pick<Deps, 'deadLetters' | 'logger'>;
