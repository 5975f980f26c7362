import type { Deps } from '../deps.js';

/** What recording a run and queueing its submissions needs (startRun). */
export type StartRunDeps = Pick<Deps, 'clock' | 'logger' | 'bus' | 'runs' | 'pacer'>;

/** What starting runs from alerts, manual requests and schedules needs: startRun's, plus the playbooks and the Defender API (the device directory). */
export type IntakeDeps = Pick<Deps, 'clock' | 'logger' | 'bus' | 'runs' | 'pacer' | 'defender' | 'playbooks'>;
