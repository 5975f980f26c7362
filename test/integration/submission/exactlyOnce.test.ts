import { analyst } from '../../helpers/principals.js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config.js';
import { Pacer } from '../../../shared/pacing/pacer.js';
import { pacingLimitsOf } from '../../../shared/pacing/limits.js';
import { startManualRun } from '../../../shared/services/intake/manualRuns.js';
import { handleActionMessage } from '../../../shared/services/submission/submitter.js';
import type { Profile } from '../../../simulator/index.js';
import { InProcessPacingStore } from '../../helpers/casStores.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { deviceId, manyDevicesFleet, simulatorClient, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

/**
 * Exactly-once submission against the simulator itself: the POST creates the
 * action but its answer is lost, so the responder cannot know whether it
 * did. Under the strict profile the new action is not listed for 5 s (list
 * lag) when the redelivered message looks for it.
 */
let t: TestSimulator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The real fetch, except that the first runliveresponse answer never reaches the caller (the action exists). */
function losingFirstPost(): typeof fetch {
  let lost = false;
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!lost && url.includes('/runliveresponse')) {
      lost = true;
      await response.arrayBuffer();
      throw new TypeError('fetch failed: socket hang up');
    }
    return response;
  };
}

describe.each<Profile>(['lenient', 'strict'])('exactly-once submission against the %s simulator', (profile) => {
  it('adopts the action a lost POST created, however late the list shows it, and never sends a second one', async () => {
    t = await startTestSimulator({ fleet: manyDevicesFleet(1), settings: { profile } });
    const config = loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' });
    const deps = fakeDeps({
      clock: t.clock,
      pacer: new Pacer(new InProcessPacingStore(), t.clock, pacingLimitsOf(config)),
      defender: simulatorClient(t, { fetch: losingFirstPost() }),
    });
    const started = await startManualRun(deps, { playbook: 'collect-hosts-file', devices: [deviceId(1)], reason: 'test' }, analyst());
    expect(started.ok).toBe(true);
    const runId = started.ok ? started.value.run.runId : '';
    const [submit] = deps.bus.take('actions');
    if (submit?.notBeforeMs !== undefined) t.clock.set(Math.max(t.clock.nowMs(), submit.notBeforeMs));

    await expect(handleActionMessage(deps, submit?.body, { messageId: 'a1', deliveryCount: 1 })).rejects.toThrow();
    expect(t.sim.stats().actionsCreated).toBe(1);

    // The queue redelivers at once; then whatever it was told to wait for.
    const outcomes = [await handleActionMessage(deps, submit?.body, { messageId: 'a1', deliveryCount: 2 })];
    for (let i = 0; outcomes.at(-1) === 'deferred' && i < 5; i++) {
      const [again] = deps.bus.take('actions');
      t.clock.set(Math.max(t.clock.nowMs(), again?.notBeforeMs ?? 0));
      outcomes.push(await handleActionMessage(deps, again?.body, { messageId: 'a2', deliveryCount: 1 }));
    }

    // Strict: the first look finds nothing (list lag), so it looks again later instead of sending.
    expect(outcomes).toEqual(profile === 'strict' ? ['deferred', 'adopted'] : ['adopted']);
    expect(t.sim.stats().actionsCreated).toBe(1);
    expect((await deps.runs.getAction(runId, deviceId(1)))?.value).toMatchObject({ state: 'submitted' });
  });
});
