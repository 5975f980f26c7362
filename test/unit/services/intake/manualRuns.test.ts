import { describe, expect, it } from 'vitest';
import { IdempotencyConflict, startManualRun } from '../../../../shared/services/intake/manualRuns.js';
import { DEVICE, fakeDeps } from '../../../helpers/fakes.js';
import { analyst } from '../../../helpers/principals.js';

const request = { playbook: 'collect-hosts-file', devices: [DEVICE], reason: 'INC-7', idempotencyKey: 'ticket-INC-7' };
const otherCaller = { ...analyst('mallory@contoso.com'), objectId: '0a1b2c3d-0000-4000-8000-00000000bad0' };

async function world() {
  const deps = fakeDeps();
  await deps.devices.write([{ id: DEVICE, tags: [], osPlatform: 'Windows11' }], []);
  return deps;
}

describe('a manual run request', () => {
  it('names an unknown playbook and an invalid device in one refusal', async () => {
    const started = await startManualRun(
      await world(),
      { playbook: 'no-such-book', devices: ['not-a-device'], reason: 'INC-7' },
      analyst(),
    );
    expect(started.ok).toBe(false);
    const paths = started.ok || started.errors instanceof IdempotencyConflict ? [] : started.errors.map((i) => i.path);
    expect(paths.sort()).toEqual(['devices.0', 'playbook']);
  });

  it('answers the run already started when the same caller repeats the same request with its key', async () => {
    const deps = await world();
    const first = await startManualRun(deps, request, analyst());
    const again = await startManualRun(deps, { ...request, devices: [DEVICE.toUpperCase()] }, analyst());
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.value.run.runId).toBe(first.value.run.runId);
    expect([first.value.created, again.value.created]).toEqual([true, false]);
    expect(deps.runs.runs.size).toBe(1);
  });

  it.each([
    ['another caller', request, otherCaller],
    ['other devices', { ...request, devices: ['f'.repeat(40)] }, analyst()],
    ['another reason', { ...request, reason: 'INC-8' }, analyst()],
  ])('refuses a key reused by %s as a conflict, starting nothing', async (_, reused, caller) => {
    const deps = await world();
    expect((await startManualRun(deps, request, analyst())).ok).toBe(true);
    const queued = deps.bus.take('actions').length;
    const second = await startManualRun(deps, reused, caller);
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.errors).toBeInstanceOf(IdempotencyConflict);
    expect(deps.runs.runs.size).toBe(1);
    expect(queued).toBe(1);
    expect(deps.bus.take('actions')).toEqual([]);
  });
});
