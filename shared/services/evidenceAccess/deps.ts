import type { Deps } from '../deps.js';

/** What an operator's evidence reads and download links need (a subset of Deps). */
export type EvidenceAccessDeps = Pick<Deps, 'runs' | 'config' | 'evidenceLinks'>;
