import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { ThrottledError, TransientError } from '../../../shared/errors.js';
import { createServices } from '../../../shared/services/index.js';
import { handleAlertMessage } from '../../../shared/services/intake/alertIntake.js';
import { DEVICE, fakeDeps, machineAction } from '../../helpers/fakes.js';
import { clientWith } from '../../helpers/fakeApiClient.js';
import { recordedMetrics, type RecordedPoint } from '../../helpers/recordedMetrics.js';

const alert = JSON.parse(readFileSync(new URL('../../fixtures/alerts/defender-api-alert.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
const delivery = { messageId: 'm1', deliveryCount: 1 };

/** The services over fakes with metrics on, and an alert's run whose submission is queued. A wait for a slot overshoots it by `lateMs`. */
async function withMetrics(lateMs = 0) {
  const recorded = recordedMetrics();
  const clock = new ManualClock();
  const waitUntil = (atMs: number): Promise<void> => Promise.resolve(clock.set(Math.max(clock.nowMs(), atMs + lateMs)));
  const deps = fakeDeps({ metrics: recorded.metrics, clock, waitUntil });
  const services = createServices(deps);
  const outcome = await handleAlertMessage(deps, alert, delivery);
  if (outcome.kind !== 'started') throw new Error(`expected a run, got ${outcome.kind}`);
  const [submit] = deps.bus.take('actions');
  return { ...recorded, deps, services, runId: outcome.runIds[0] ?? '', submit };
}

function find(points: RecordedPoint[], name: string): RecordedPoint[] {
  return points.filter((p) => p.name === name);
}

describe('the responder records its metrics where each thing happens', () => {
  it('counts a 429 from Defender by the kind of call', async () => {
    const recorded = recordedMetrics();
    const throttling = (): Promise<Response> => Promise.resolve(new Response('{}', { status: 429, headers: { 'Retry-After': '7' } }));
    const client = clientWith(throttling, { metrics: recorded.metrics });

    await expect(client.getMachine(DEVICE)).rejects.toBeInstanceOf(ThrottledError);
    await expect(client.runLiveResponse(DEVICE, { Commands: [], Comment: 'c' })).rejects.toBeInstanceOf(ThrottledError);

    expect(find(await recorded.collect(), 'responder.defender.throttled')).toEqual([
      { name: 'responder.defender.throttled', attributes: { call: 'get machine' }, value: 1 },
      { name: 'responder.defender.throttled', attributes: { call: 'runliveresponse' }, value: 1 },
    ]);
  });

  it('records how late a submission called after its booked slot, and counts the accepted call', async () => {
    const { deps, services, submit, collect } = await withMetrics(250);
    deps.defender.onRunLiveResponse = (id) => Promise.resolve(machineAction({ id: 'act-1', machineId: id }));

    expect(await services.actions(submit?.body, delivery)).toBe('submitted');

    const points = await collect();
    expect(find(points, 'responder.pacing.lag')).toEqual([
      { name: 'responder.pacing.lag', attributes: {}, histogram: { count: 1, sum: 250, min: 250, max: 250 } },
    ]);
    expect(find(points, 'responder.defender.liveresponse.calls')).toEqual([
      { name: 'responder.defender.liveresponse.calls', attributes: { outcome: 'accepted' }, value: 1 },
    ]);
  });

  it.each([
    ['throttled', new ThrottledError('429', 1_000)],
    ['failed', new TransientError('socket hang up')],
  ])('counts a runliveresponse call Defender answered as %s', async (outcome, error) => {
    const { deps, services, submit, collect } = await withMetrics();
    deps.defender.onRunLiveResponse = () => Promise.reject(error);

    await services.actions(submit?.body, delivery);

    expect(find(await collect(), 'responder.defender.liveresponse.calls')).toEqual([
      { name: 'responder.defender.liveresponse.calls', attributes: { outcome }, value: 1 },
    ]);
  });

  it('counts a dead letter by its queue and reason', async () => {
    const { services, collect } = await withMetrics();

    await services.collect({ not: 'a collect message' }, delivery);

    expect(find(await collect(), 'responder.queue.dead_letters')).toEqual([
      { name: 'responder.queue.dead_letters', attributes: { queue: 'collect', reason: 'MalformedMessage' }, value: 1 },
    ]);
  });

  it('records how long a message waited after it became due, by queue', async () => {
    const { deps, services, submit, collect } = await withMetrics();
    deps.defender.onRunLiveResponse = (id) => Promise.resolve(machineAction({ id: 'act-1', machineId: id }));
    const dueMs = deps.clock.nowMs();
    deps.clock.set(dueMs + 5_000);

    await services.actions(submit?.body, { ...delivery, properties: { dueMs } });

    expect(find(await collect(), 'responder.queue.age')).toEqual([
      { name: 'responder.queue.age', attributes: { queue: 'actions' }, histogram: { count: 1, sum: 5_000, min: 5_000, max: 5_000 } },
    ]);
  });

  it('stamps every message the services send with when it becomes due', async () => {
    const { deps, services, submit } = await withMetrics();
    deps.defender.onRunLiveResponse = () => Promise.reject(new ThrottledError('429', 42_000));

    await services.actions(submit?.body, delivery);

    const [again] = deps.bus.take('actions');
    expect(again?.properties?.dueMs).toBe(deps.clock.nowMs() + 42_000);
  });

  it('attaches no URL, token or run id to any metric', async () => {
    const { deps, services, submit, runId, collect } = await withMetrics();
    deps.defender.onRunLiveResponse = () => Promise.reject(new ThrottledError('429 https://api.securitycenter.microsoft.com?token=abc', 1));
    await services.actions(submit?.body, { ...delivery, enqueuedTimeMs: 0 });
    await services.collect({ runId, link: 'https://x.blob.core.windows.net/r?sig=secret' }, delivery);

    const values = (await collect()).flatMap((p) => Object.values(p.attributes).map(String));
    expect(values.length).toBeGreaterThan(2);
    for (const value of values) {
      expect(value).toMatch(/^[A-Za-z][A-Za-z0-9 _-]{0,63}$/);
      expect(value).not.toContain(runId);
    }
  });
});
