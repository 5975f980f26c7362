import { describe, expect, it } from 'vitest';
import { BudgetedDefenderApi, payStatusCall } from '../../../../shared/pacing/budgetedDefender.js';
import { pacingLimitsOf } from '../../../../shared/pacing/limits.js';
import { Pacer } from '../../../../shared/pacing/pacer.js';
import { refreshDeviceDirectory } from '../../../../shared/services/directory/refresh.js';
import { InProcessPacingStore } from '../../../helpers/casStores.js';
import { clientWith, FAKE_API_BASE as BASE } from '../../../helpers/fakeApiClient.js';
import { fakeDeps } from '../../../helpers/fakes.js';

const id = (n: number) => n.toString(16).padStart(40, '0');
const machine = (n: number, tags: string[] = []) => ({
  id: id(n).toUpperCase(),
  computerDnsName: `ws-${n}`,
  machineTags: tags,
  osPlatform: 'Windows11',
});

/** The production client and budget wrapper over a fake API serving `pages` of machines linked by @odata.nextLink. */
function budgetedApi(pages: () => unknown[][], statusCallsPerMinute = 100) {
  const deps = fakeDeps();
  const store = new InProcessPacingStore();
  const pacer = new Pacer(store, deps.clock, { ...pacingLimitsOf(deps.config), statusCallsPerMinute });
  const requested: string[] = [];
  const fetchFn = (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    requested.push(url.search);
    const n = Number(url.searchParams.get('$skiptoken') ?? '0');
    const all = pages();
    const next = n + 1 < all.length ? { '@odata.nextLink': `${BASE}/api/machines?$skiptoken=${n + 1}` } : {};
    return Promise.resolve(new Response(JSON.stringify({ value: all[n], ...next }), { status: 200 }));
  };
  const client = clientWith(fetchFn, { payForExtraCall: (what) => payStatusCall(pacer, what) });
  const directoryDeps = { ...deps, pacer, defender: new BudgetedDefenderApi(client, pacer) };
  const statusCalls = async () => (await store.load()).value.statusCallsMs.length;
  return { deps: directoryDeps, requested, statusCalls };
}

describe('the device directory refresh', () => {
  it('pages through every machine, paying each page from the status budget, and writes the directory', async () => {
    const { deps, requested, statusCalls } = budgetedApi(() => [
      [machine(1, ['Tier0']), machine(2)],
      [machine(3), machine(4)],
      [machine(5)],
    ]);
    const outcome = await refreshDeviceDirectory(deps);
    expect(outcome).toEqual({ kind: 'refreshed', devices: 5, written: 5, removed: 0, skipped: 0 });
    expect(requested).toEqual(['', '?$skiptoken=1', '?$skiptoken=2']);
    expect(await statusCalls()).toBe(3);
    expect((await deps.devices.listAll()).map((d) => d.id).sort()).toEqual([1, 2, 3, 4, 5].map(id));
    expect((await deps.devices.getMany([id(1)])).get(id(1))).toEqual({ id: id(1), name: 'ws-1', tags: ['Tier0'], osPlatform: 'Windows11' });
    expect((await deps.devices.loadState())?.value).toEqual({ refreshedMs: deps.clock.nowMs(), missLookupsLeft: 20 });
  });

  it('writes only what changed and removes devices Defender no longer lists', async () => {
    let pages = [[machine(1), machine(2)], [machine(3)]];
    const { deps } = budgetedApi(() => pages);
    await refreshDeviceDirectory(deps);
    pages = [[machine(1, ['Tier0']), machine(3)]];
    deps.clock.advance(15 * 60_000);
    expect(await refreshDeviceDirectory(deps)).toEqual({ kind: 'refreshed', devices: 2, written: 1, removed: 1, skipped: 0 });
    expect((await deps.devices.listAll()).map((d) => [d.id, d.tags])).toEqual([
      [id(1), ['Tier0']],
      [id(3), []],
    ]);
  });

  it('writes nothing and throws nothing when the status budget refuses a page; the next firing tries again', async () => {
    const { deps } = budgetedApi(() => [[machine(1)], [machine(2)], [machine(3)]], 2);
    const outcome = await refreshDeviceDirectory(deps);
    expect(outcome).toMatchObject({ kind: 'deferred' });
    expect(await deps.devices.listAll()).toEqual([]);
    expect(await deps.devices.loadState()).toBeUndefined();
  });

  it('passes over a machine whose id is not a Defender device id', async () => {
    const { deps } = budgetedApi(() => [[machine(1), { id: 'not-a-device', machineTags: [] }]]);
    expect(await refreshDeviceDirectory(deps)).toMatchObject({ devices: 1, skipped: 1 });
  });
});
