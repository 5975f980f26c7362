import type { Deps } from '../deps.js';

/** What submitting a device action needs (the actions queue's handler). */
export type SubmissionDeps = Pick<Deps, 'config' | 'clock' | 'logger' | 'bus' | 'runs' | 'defender' | 'pacer' | 'waitUntil' | 'metrics'>;
