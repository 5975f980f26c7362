import type { Deps } from '../deps.js';

/** What a poll tick needs: reading the due actions' status, recording it and queueing the results to collect. */
export type PollingDeps = Pick<Deps, 'config' | 'clock' | 'logger' | 'bus' | 'runs' | 'defender' | 'pacer'>;

/** What scheduling the next poll tick needs (also called by the submitter). */
export type TickDeps = Pick<Deps, 'pacer' | 'bus'>;
