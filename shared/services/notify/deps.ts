import type { Deps } from '../deps.js';

/** What emitting a notification takes: the bus it is queued on, and where it is owed when it could not be. */
export type EmitDeps = Pick<Deps, 'config' | 'clock' | 'logger' | 'bus' | 'owedNotifications'>;

/** What delivering one takes: the run it is about, and the Defender API for alert comments. */
export type NotifyDeps = Pick<Deps, 'config' | 'clock' | 'logger' | 'bus' | 'runs' | 'defender'>;
