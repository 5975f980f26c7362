import { describe, expect, it } from 'vitest';
import type { DeviceAction, RunView } from '../../../../shared/runs/model.js';
import { runEndedMs } from '../../../../shared/services/notify/recentRunEnd.js';
import { hexId, makeAction, makeEvidence, makeRun } from '../../../helpers/runRecords.js';

const RUN = 'a-0123456789abcdef0123';
const [D1, D2] = [hexId(1), hexId(2)];
const completed = [{ index: 0, type: 'GetFile', commandStatus: 'Completed', errors: [] }];

function view(actions: Partial<DeviceAction>[], evidence: RunView['evidence'] = []): RunView {
  const devices = [D1, D2].slice(0, actions.length);
  return {
    run: { ...makeRun(RUN, devices), createdMs: 1_000 },
    actions: actions.map((changes, i) => ({ ...makeAction(RUN, devices[i] ?? D1), ...changes })),
    evidence,
  };
}

const ended = (endedMs: number): Partial<DeviceAction> => ({
  state: 'ended',
  machineActionId: 'ma',
  actionStatus: 'Succeeded',
  commandOutcomes: completed,
  endedMs,
  updatedMs: endedMs,
});

describe("a run's end instant, which the sweep's re-send of its run-ended notification is timed from", () => {
  it.each([
    ['a run with no device: when it was created', view([]), 1_000],
    [
      'the last result stored, after its action ended',
      view([ended(2_000)], [{ ...makeEvidence(RUN, D1, 'ma', 0), collectedMs: 5_000 }]),
      5_000,
    ],
    [
      'a result failed for good, after its action ended',
      view([{ ...ended(2_000), evidenceFailures: [{ commandIndex: 0, reason: 'CollectionRetriesExhausted', atMs: 7_000 }] }]),
      7_000,
    ],
    [
      'the last of its devices to settle (one refused)',
      view([
        { state: 'rejected', updatedMs: 9_000 },
        { ...ended(3_000), collectIndexes: [] },
      ]),
      9_000,
    ],
  ])('%s', (_, given, expectedMs) => {
    expect(runEndedMs(given)).toBe(expectedMs);
  });

  it('is undefined while a device is still open or a result is still uncollected', () => {
    expect(runEndedMs(view([ended(2_000), { state: 'submitted', machineActionId: 'mb' }]))).toBeUndefined();
    expect(runEndedMs(view([ended(2_000)]))).toBeUndefined();
  });
});
