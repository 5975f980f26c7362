import type { Deps } from '../deps.js';

/**
 * What the reconciliation sweep needs: the runs to read, the pacer's holds, the bus to re-drive, Defender to re-read an
 * action, its cursor, and where a run-ended notification it could not queue again is owed.
 */
export type ReconcileDeps = Pick<
  Deps,
  'config' | 'clock' | 'logger' | 'bus' | 'runs' | 'defender' | 'pacer' | 'watermarks' | 'owedNotifications'
>;
