import type { Deps } from '../deps.js';

/** What cancelling a run needs: its records, the pacer, and Defender's cancel (paid from the status budget). */
export type CancelDeps = Pick<Deps, 'config' | 'clock' | 'logger' | 'bus' | 'runs' | 'defender' | 'pacer'>;
