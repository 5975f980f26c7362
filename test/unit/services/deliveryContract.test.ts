import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, ThrottledError, TransientError } from '../../../shared/errors.js';
import { createServices } from '../../../shared/services/index.js';
import { DEVICE, fakeDeps, machineAction } from '../../helpers/fakes.js';

const alert = JSON.parse(readFileSync(new URL('../../fixtures/alerts/defender-api-alert.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

/** A run started through the services, with its first submission message taken off the bus. */
async function started() {
  const deps = fakeDeps();
  const services = createServices(deps);
  const outcome = await services.alerts(alert, { messageId: 'alert-1', deliveryCount: 1 });
  if (!('runIds' in outcome)) throw new Error(`expected a run, got ${outcome.kind}`);
  const [submit] = deps.bus.take('actions');
  if (!submit) throw new Error('no submission queued');
  return { deps, services, submit, runId: outcome.runIds[0] ?? '' };
}

describe('queue operations keep the delivery contract', () => {
  it('reschedules a submission whose POST outcome was lost, and the copy adopts the action instead of throwing', async () => {
    const { deps, services, submit, runId } = await started();
    let comment = '';
    deps.defender.onRunLiveResponse = (_id, request) => {
      comment = request.Comment;
      return Promise.reject(new TransientError('socket hang up after the request was sent'));
    };
    const first = await services.actions(submit.body, { messageId: submit.messageId, deliveryCount: 1, properties: submit.properties });
    expect(first).toMatchObject({ kind: 'rescheduled', reason: 'TransientError' });
    const [copy] = deps.bus.take('actions');
    expect(copy?.messageId).toBe(`${submit.messageId}.retry-1`);
    deps.defender.onListMachineActions = () =>
      Promise.resolve([machineAction({ id: 'act-lost', machineId: DEVICE, requestorComment: comment })]);
    deps.clock.set(copy?.notBeforeMs ?? 0);
    expect(await services.actions(copy?.body, { messageId: copy?.messageId ?? '', deliveryCount: 1, properties: copy?.properties })).toBe(
      'adopted',
    );
    expect((await deps.runs.getAction(runId, DEVICE))?.value.machineActionId).toBe('act-lost');
  });

  it('sends an alert again for Retry-After later when storage throttles its run record', async () => {
    const deps = fakeDeps();
    deps.runs.createRun = () => Promise.reject(new ThrottledError('table busy', 30_000));
    const outcome = await createServices(deps).alerts(alert, { messageId: 'alert-2', deliveryCount: 1 });
    expect(outcome).toEqual({ kind: 'rescheduled', reason: 'ThrottledError', notBeforeMs: deps.clock.nowMs() + 30_000 });
    expect(deps.bus.take('alerts')).toMatchObject([{ messageId: 'alert-2.retry-1', body: alert }]);
  });

  it('lets a bug reach the trigger as a throw', async () => {
    const { deps, services, submit } = await started();
    deps.runs.replaceAction = () => Promise.reject(new InvalidTransitionError('action', 'ended', 'submitting'));
    await expect(services.actions(submit.body, { messageId: submit.messageId, deliveryCount: 1 })).rejects.toThrow(InvalidTransitionError);
  });
});
