import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { ScaledClock } from '../shared/clock.js';
import { DefenderClient } from '../shared/defender/client.js';
import { DEFENDER_SCOPE, type TokenProvider } from '../shared/defender/port.js';
import { isTerminal, type LiveResponseCommand } from '../shared/defender/types.js';
import { DeviceBusyError, ThrottledError } from '../shared/errors.js';

/**
 * What the common scripts do, for comparison: submit every device at once;
 * on a 429 wait Retry-After (or back off exponentially) and retry that one
 * device; on a busy device wait a minute and retry; poll each action by itself
 * every 30 s until it ends; then fetch each result. No shared ledger, no
 * batching, no session accounting.
 */
export async function runNaiveBaseline(options: {
  baseUrl: string;
  clock: ScaledClock;
  credential: TokenProvider;
  deviceIds: string[];
  commands: (deviceId: string) => LiveResponseCommand[];
  concurrency: number;
  /** Stops every worker at its next wait (the benchmark gives up on a baseline that takes too long). */
  signal?: AbortSignal;
}): Promise<{ ended: number }> {
  const client = new DefenderClient({
    baseUrl: options.baseUrl,
    credential: options.credential,
    scope: DEFENDER_SCOPE,
    requestTimeoutMs: 30_000,
    defaultRetryAfterMs: 60_000,
    linkPolicy: { hostSuffixes: [], allowHttpLoopback: true },
  });
  const sleep = (virtualMs: number): Promise<void> => delay(options.clock.toWallMs(virtualMs), undefined, { signal: options.signal });
  let ended = 0;
  const queue = [...options.deviceIds];
  const worker = async (): Promise<void> => {
    for (let deviceId = queue.shift(); deviceId !== undefined; deviceId = queue.shift()) {
      const actionId = await submitWithRetry(client, deviceId, options.commands(deviceId), sleep);
      for (;;) {
        await sleep(30_000);
        const action = await retrying(() => client.getMachineAction(actionId), sleep);
        if (!isTerminal(action.status)) continue;
        for (const c of action.commands.filter((x) => x.commandStatus === 'Completed' && x.command.type !== 'PutFile')) {
          const link = await retrying(() => client.getResultDownloadLink(actionId, c.index), sleep);
          const download = await client.downloadResult(link);
          await pipeline(download.body, new Writable({ write: (_chunk, _e, cb) => cb() }));
        }
        ended += 1;
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { ended };
}

async function submitWithRetry(
  client: DefenderClient,
  deviceId: string,
  commands: LiveResponseCommand[],
  sleep: (ms: number) => Promise<void>,
): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await client.runLiveResponse(deviceId, { Commands: commands, Comment: 'naive baseline' })).id;
    } catch (error) {
      if (error instanceof ThrottledError) await sleep(error.retryAfterMs || Math.min(60_000, 1_000 * 2 ** attempt));
      else if (error instanceof DeviceBusyError) await sleep(60_000);
      else throw error;
    }
  }
}

async function retrying<T>(call: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      // A script keeps trying while it is throttled (the benchmark gives up on it through its signal).
      if (!(error instanceof ThrottledError)) throw error;
      await sleep(error.retryAfterMs);
    }
  }
}
