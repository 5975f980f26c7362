import { positiveWhole } from './flags.js';
import { parseArgs } from 'node:util';
import { SimulatorCredential } from '../simulator/index.js';
import { BUSY_GOALS, busyFigures, formatBusyReport, readActions } from './busy/measure.js';
import { busyAlerts, busyFleet, type BusySpec } from './busy/workload.js';
import { startPacingCluster } from './cluster.js';

const HELP = `npm run bench:busy -- [--devices N] [--alerts-per-device N] [--script-ms N] [--scale N] [--workers N] [--json]

Busy devices: many alerts on few devices (default 50 on each of 4), sent
at once, each starting a run of the shipped triage-bundle playbook (a
triage script, then GetFile of its output) through the alert intake of N
workers (default 2) sharing one Azurite, against the Defender API simulator
(lenient profile, devices always online). Only one action may run on a
device at a time, so a device's runs wait for one another: the responder
should start each next action as soon as the previous one ends, in the
order the alerts came.

The script runs --script-ms (default 90,000: a triage collection of
processes, connections, services and autoruns on a live endpoint takes a
minute or two; the simulator adds its 5 s pickup and a short GetFile).
Time is simulated, --scale times faster than the wall clock (default 10:
about ten minutes for the default workload). Our own handling between one
action's end and the next one's POST (the poll tick, the hand-over, the
submission: storage round trips on Azurite) takes wall-clock time, which
counts --scale times over in simulated time: a lower scale is more faithful,
a loaded machine less.

Measured from Defender's own record of the actions (creation to last
update) and the simulator's counters: each device's summed action time, the
idle gaps between its actions, the makespan (first alert sent to the last
action's last update) against the per-device lower bound (the longest
device's summed action time), ActiveRequestAlreadyExists answers, and status
calls per action. Goals: makespan at most ${BUSY_GOALS.maxRatio} x the bound,
${BUSY_GOALS.maxActiveRequestRejections} ActiveRequestAlreadyExists.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string' },
      'alerts-per-device': { type: 'string' },
      'script-ms': { type: 'string' },
      scale: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(HELP + '\n');
  const spec: BusySpec = {
    devices: positiveWhole('--devices', values.devices, 4),
    alertsPerDevice: positiveWhole('--alerts-per-device', values['alerts-per-device'], 50),
    scriptMs: positiveWhole('--script-ms', values['script-ms'], 90_000),
  };
  const scale = positiveWhole('--scale', values.scale, 10);
  const workers = positiveWhole('--workers', values.workers, 2);
  const say = (line: string): void => void process.stderr.write(line + '\n');
  say(`busy-devices benchmark: ${spec.alertsPerDevice} alerts on each of ${spec.devices} devices, ${workers} workers, time x${scale} ...`);

  const cluster = await startPacingCluster({
    fleet: busyFleet(spec),
    timeScale: scale,
    workers,
    settings: {
      PLAYBOOKS_DIR: 'playbooks',
      // As bench:pacing: the send lead stands for wall-clock time spent on our own bookkeeping (100 wall ms).
      PACING_SEND_LEAD_MS: String(Math.min(10_000, Math.max(2_000, 100 * scale))),
    },
  });
  try {
    const total = spec.devices * spec.alertsPerDevice;
    const startMs = cluster.clock.nowMs();
    await cluster.sendAlerts(busyAlerts(spec));
    const giveUpMs = 4 * spec.alertsPerDevice * (spec.scriptMs + 15_000);
    for (;;) {
      const byStatus = cluster.simulator.stats().actionsByStatus;
      const ended = byStatus.Succeeded + byStatus.Failed + byStatus.TimeOut + byStatus.Cancelled;
      if (ended >= total) break;
      if (cluster.clock.nowMs() - startMs > giveUpMs)
        throw new Error(`only ${ended} of ${total} actions ended in ${giveUpMs} simulated ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const stats = cluster.simulator.stats();
    const figures = busyFigures(await readActions(cluster.simulator, new SimulatorCredential({ clock: cluster.clock })), startMs, stats);
    if (values.json)
      process.stdout.write(JSON.stringify({ workload: spec, timeScale: scale, workers, goals: BUSY_GOALS, figures }, null, 2) + '\n');
    else
      process.stdout.write(
        formatBusyReport(figures, `busy devices: ${total} alerts on ${spec.devices} devices, ${workers} workers, time x${scale}`) + '\n',
      );
  } finally {
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
