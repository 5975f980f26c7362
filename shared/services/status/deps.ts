import type { Deps } from '../deps.js';

/** What the operator reads need (a subset of Deps). */
export type StatusDeps = Pick<Deps, 'runs' | 'config'>;
