import { describe, expect, it } from 'vitest';
import { toRunStatus } from '../../../../shared/services/status/runStatus.js';
import { CREATED_MS, hexId, makeAction, makeRun } from '../../../helpers/runRecords.js';

describe('GET /api/runs/{id}: the run status', () => {
  it('gives the run’s creation time and each device’s queued, sent and ended times in UTC, leaving out those not reached', () => {
    const run = makeRun('a-0001', [hexId(1), hexId(2)]);
    const sent = {
      ...makeAction(run.runId, hexId(1)),
      state: 'ended' as const,
      submittedMs: CREATED_MS + 1_000,
      endedMs: CREATED_MS + 61_000,
    };
    const waiting = makeAction(run.runId, hexId(2));

    const status = toRunStatus({ run, actions: [sent, waiting], evidence: [] });

    expect(status.created).toBe(new Date(CREATED_MS).toISOString());
    expect(status.devices.map((d) => [d.queuedAt, d.submittedAt, d.endedAt])).toEqual([
      [new Date(CREATED_MS).toISOString(), new Date(CREATED_MS + 1_000).toISOString(), new Date(CREATED_MS + 61_000).toISOString()],
      [new Date(CREATED_MS).toISOString(), undefined, undefined],
    ]);
  });
});
