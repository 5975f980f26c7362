import type { Deps } from '../deps.js';

/** What recording a run and queueing its submissions needs (startRun). */
export type StartRunDeps = Pick<Deps, 'clock' | 'logger' | 'bus' | 'runs' | 'pacer'>;

/**
 * What starting runs from alerts, manual requests and schedules needs:
 * startRun's, plus the playbooks, the cached device directory and the
 * Defender API (`where` selections, the directory's miss look-ups).
 */
export type IntakeDeps = Pick<
  Deps,
  'config' | 'clock' | 'logger' | 'bus' | 'runs' | 'pacer' | 'defender' | 'devices' | 'playbooks' | 'assemblies'
>;
