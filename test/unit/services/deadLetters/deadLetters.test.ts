import { describe, expect, it } from 'vitest';
import { deadLetterService } from '../../../../shared/services/deadLetters/deadLetters.js';
import { fakeDeps } from '../../../helpers/fakes.js';

function setUp() {
  const deps = fakeDeps();
  const service = deadLetterService(deps);
  const poisoned = deps.deadLetters.poison(
    'actions',
    { runId: 'r1' },
    { reason: 'MalformedMessage', description: 'x', originalMessageId: 'm1' },
  );
  const other = deps.deadLetters.poison(
    'collect',
    { runId: 'r2' },
    { reason: 'TransferFailed', description: 'y', originalMessageId: 'm2' },
  );
  const native = deps.deadLetters.native('alerts', { id: 'a1' }, 'alert:a1');
  return { deps, service, poisoned, other, native };
}

describe('dead-letter service', () => {
  it('lists a page with the default size, filtered, and names a bad filter field', async () => {
    const { service, poisoned } = setUp();
    const page = await service.list({ queues: ['actions'] });
    expect(page).toMatchObject({ ok: true, value: { entries: [{ id: poisoned, reason: 'MalformedMessage' }] } });
    expect(await service.list({ queues: ['nope'], limit: 0 })).toMatchObject({
      ok: false,
      errors: [{ path: 'queues.0' }, { path: 'limit' }],
    });
  });

  it('replays the ids given, once each, and reports ids it did not find', async () => {
    const { deps, service, poisoned } = setUp();
    const result = await service.replay({ ids: [poisoned, poisoned, 'actions:poison:999'] });
    expect(result).toMatchObject({
      ok: true,
      value: { counts: { replayed: 1, 'not-found': 1 }, outcomes: [{ id: poisoned, outcome: 'replayed' }, { outcome: 'not-found' }] },
    });
    expect(deps.bus.take('actions')).toMatchObject([{ body: { runId: 'r1' }, properties: { replayOf: poisoned } }]);
  });

  it('replays or purges everything a filter selects with all, and nothing else', async () => {
    const { deps, service, native, other } = setUp();
    expect(await service.purge({ all: true, source: 'poison', reason: 'malformedmessage' })).toMatchObject({
      ok: true,
      value: { counts: { purged: 1 } },
    });
    const left = await service.list({});
    expect(left.ok && left.value.entries.map((e) => e.id)).toEqual([native, other]);
    expect(await service.replay({ all: true })).toMatchObject({ ok: true, value: { counts: { replayed: 2 } } });
    expect(deps.bus.sent.map((m) => m.queue).sort()).toEqual(['alerts', 'collect']);
  });

  it('refuses a selection that is neither ids nor all, or an id that is not a dead-letter id', async () => {
    const { service } = setUp();
    expect(await service.purge({})).toMatchObject({ ok: false, errors: [{ path: 'ids' }] });
    expect(await service.purge({ ids: ['actions-42'] })).toMatchObject({ ok: false, errors: [{ path: 'ids.0' }] });
    expect(await service.replay({ all: true, source: 'dlq' })).toMatchObject({ ok: false, errors: [{ path: 'source' }] });
  });
});
