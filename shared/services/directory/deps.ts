import type { Deps } from '../deps.js';

/** What reading and refreshing the cached device directory needs. */
export type DirectoryDeps = Pick<Deps, 'config' | 'clock' | 'logger' | 'defender' | 'devices'>;
