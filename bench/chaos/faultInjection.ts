import { NO_FAULTS, type FaultRates } from './faultProxy.js';
import type { ChaosStack } from './chaosStack.js';

/** The faults a run injects and how often (printed with the figures). */
export interface ChaosRates {
  /** A random worker is killed (SIGKILL) and restarted at a uniformly random interval in this range (wall seconds); [0, 0]: never. */
  killEveryWallS: [number, number];
  /** Per-request chances at each storage endpoint. */
  storage: FaultRates;
  /** Per-request chances in front of the Defender API (busy 503s are the simulator's own 500s below). */
  defender: Omit<FaultRates, 'busy'>;
  /** The simulator answers the next `simulator5xxBurst` requests 500 every this many wall seconds; 0: never. */
  simulator5xxEveryWallS: number;
  simulator5xxBurst: number;
}

export interface InjectedCounts {
  kills: number;
  simulator5xxBursts: number;
}

/**
 * Turns the faults on: the proxies' rates, a worker killed now and then, the
 * simulator's 500 bursts. `stop` turns every fault off and waits for a kill
 * in progress to finish its restart.
 */
export function startFaultInjection(
  stack: ChaosStack,
  rates: ChaosRates,
  options: { random?: () => number; onKill?: (worker: number) => void } = {},
): { counts(): InjectedCounts; stop(): Promise<void> } {
  const random = options.random ?? Math.random;
  const counts: InjectedCounts = { kills: 0, simulator5xxBursts: 0 };
  for (const proxy of stack.storageProxies) proxy.setRates(rates.storage);
  stack.defenderProxy.setRates({ ...rates.defender, busy: 0 });
  let stopped = false;
  let killing: Promise<void> = Promise.resolve();
  let killTimer: NodeJS.Timeout | undefined;
  const [minS, maxS] = rates.killEveryWallS;
  const scheduleKill = (): void => {
    if (stopped || maxS <= 0) return;
    killTimer = setTimeout(
      () => {
        const worker = Math.floor(random() * stack.workers.size);
        counts.kills += 1;
        options.onKill?.(worker);
        killing = stack.workers.killAndRestart(worker).finally(scheduleKill);
      },
      (minS + random() * (maxS - minS)) * 1000,
    );
  };
  scheduleKill();
  const burst =
    rates.simulator5xxEveryWallS > 0
      ? setInterval(() => {
          counts.simulator5xxBursts += 1;
          stack.simulator.setFaults({ failNextRequests: rates.simulator5xxBurst });
        }, rates.simulator5xxEveryWallS * 1000)
      : undefined;
  return {
    counts: () => ({ ...counts }),
    async stop() {
      stopped = true;
      clearTimeout(killTimer);
      clearInterval(burst);
      for (const proxy of [...stack.storageProxies, stack.defenderProxy]) proxy.setRates(NO_FAULTS);
      stack.simulator.setFaults({});
      await killing;
    },
  };
}
