import type { Deps } from '../deps.js';

/** What the collector needs (a subset of Deps: benchmarks build just this). */
export type CollectorDeps = Pick<
  Deps,
  'config' | 'clock' | 'logger' | 'bus' | 'runs' | 'evidence' | 'defender' | 'collectorVersion' | 'metrics'
>;
