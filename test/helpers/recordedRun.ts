import type { DefenderApi } from '../../shared/defender/port.js';
import type { LiveResponseCommand } from '../../shared/defender/types.js';
import { deviceActionSchema, runSchema, type Run } from '../../shared/runs/model.js';
import type { RunStore } from '../../shared/runs/store.js';

/**
 * Records, in a run store, a run whose one device action has already ended
 * in Defender (or the simulator), as the submitter and poller would have
 * left it: so benchmarks and tests can drive the collector alone, through
 * its real adapters, without the submit and poll pipeline. Returns the
 * collect messages the poller would have queued (Completed RunScript and
 * GetFile commands).
 */
export async function recordEndedAction(
  runs: RunStore,
  defender: DefenderApi,
  input: {
    runId: string;
    machineActionId: string;
    deviceId: string;
    deviceName?: string;
    commands: LiveResponseCommand[];
    trigger?: Run['trigger'];
    playbook?: Run['playbook'];
    nowMs: number;
  },
): Promise<{ runId: string; deviceId: string; machineActionId: string; commandIndex: number }[]> {
  const action = await defender.getMachineAction(input.machineActionId);
  const outcomes = action.commands.map((c) => ({
    index: c.index,
    type: c.command.type,
    commandStatus: c.commandStatus,
    startTime: c.startTime,
    endTime: c.endTime,
    errors: c.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
  }));
  const collectIndexes = input.commands.flatMap((c, i) => (c.type === 'PutFile' ? [] : [i]));
  const run = runSchema.parse({
    runId: input.runId,
    createdMs: input.nowMs,
    trigger: input.trigger ?? { kind: 'manual', requestedBy: 'benchmark@local' },
    playbook: input.playbook ?? { name: 'recorded', version: '0.0.0', contentSha256: '0'.repeat(64) },
    deviceIds: [input.deviceId],
  });
  // Parsed from plain data so that fields with defaults keep their defaults.
  const deviceAction = deviceActionSchema.parse({
    runId: input.runId,
    deviceId: input.deviceId,
    deviceName: input.deviceName,
    commands: input.commands,
    comment: `recorded ${input.runId}`,
    state: 'ended',
    machineActionId: input.machineActionId,
    actionStatus: action.status,
    commandOutcomes: outcomes,
    collectIndexes,
    createdMs: input.nowMs,
    updatedMs: input.nowMs,
    submittedMs: input.nowMs,
    endedMs: input.nowMs,
  });
  await runs.createRun(run, [deviceAction]);
  return collectIndexes
    .filter((i) => outcomes.find((o) => o.index === i)?.commandStatus === 'Completed')
    .map((commandIndex) => ({ runId: input.runId, deviceId: input.deviceId, machineActionId: input.machineActionId, commandIndex }));
}
