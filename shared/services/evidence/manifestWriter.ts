import { casRetry, conflict, settled } from '../../concurrency/casRetry.js';
import { PermanentError } from '../../errors.js';
import { buildManifest, checkManifest } from '../../evidence/manifest.js';
import type { Manifest } from '../../evidence/manifestSchema.js';
import { manifestBlobName } from '../../evidence/naming.js';
import { describeIssues } from '../../validation.js';
import type { Deps } from '../deps.js';

type ManifestDeps = Pick<Deps, 'runs' | 'evidence' | 'clock' | 'logger' | 'collectorVersion'>;

/**
 * Rewrites the run's manifest so that it lists every recorded item. Several
 * collectors of one run can finish at once: each write is conditional on the
 * version read (ETag, or create-if-absent), and a writer that loses reads
 * again. The manifest is read before the run, so whatever an earlier writer
 * listed is in one of the two reads; items are also kept by union.
 *
 *   collector A                        collector B
 *   read manifest v1                   read manifest v1
 *   read run: items [1]                read run: items [1, 2]
 *                                      write [1, 2] if v1 -> v2
 *   write [1] if v1 -> 412 conflict
 *   read manifest v2, run: [1, 2]
 *   write [1, 2] if v2 -> v3
 *
 * The manifest is validated against its schema before every write.
 */
export async function writeManifest(
  deps: ManifestDeps,
  runId: string,
  item?: { deviceId: string; machineActionId: string; commandIndex: number },
): Promise<void> {
  const name = manifestBlobName(runId);
  await casRetry(
    `manifest of run ${runId}`,
    async (attempt) => {
      // Lost a race: the writer that won read the run after our item was recorded, so it may list it already.
      if (attempt > 1 && item && (await manifestLists(deps, runId, item))) return settled(undefined);
      const current = await deps.evidence.readJson(name);
      const view = await deps.runs.getRun(runId);
      if (!view) return settled(undefined);
      const next = checkManifest(
        buildManifest(view, previousItems(deps, runId, current?.value), deps.collectorVersion, deps.clock.nowMs()),
      );
      if (!next.ok) throw new PermanentError(`manifest of run ${runId} fails its schema (not written): ${describeIssues(next.errors)}`);
      const outcome = await deps.evidence.writeJson(name, next.value, current ? { ifMatch: current.etag } : { ifNoneMatch: '*' });
      return outcome === 'written' ? settled(undefined) : conflict;
    },
    { pauseMs: (attempt) => Math.random() * 20 * attempt },
  );
}

/** True when the stored manifest already lists the item (a redelivered collect then writes nothing). */
export async function manifestLists(
  deps: ManifestDeps,
  runId: string,
  key: { deviceId: string; machineActionId: string; commandIndex: number },
): Promise<boolean> {
  const current = await deps.evidence.readJson(manifestBlobName(runId));
  const parsed = current ? checkManifest(current.value) : undefined;
  return (
    parsed?.ok === true &&
    parsed.value.items.some(
      (i) => i.device.id === key.deviceId && i.machineActionId === key.machineActionId && i.command.index === key.commandIndex,
    )
  );
}

function previousItems(deps: ManifestDeps, runId: string, stored: unknown): Manifest | undefined {
  if (stored === undefined) return undefined;
  const parsed = checkManifest(stored);
  if (parsed.ok) return parsed.value;
  // An older schema or a damaged document: the run store is the record; rebuild from it.
  deps.logger.log('warn', 'stored manifest does not match the schema; rebuilding it from the run store', {
    runId,
    problem: describeIssues(parsed.errors).slice(0, 500),
  });
  return undefined;
}
