import { describe, expect, it } from 'vitest';
import { PermanentError, ThrottledError } from '../../../shared/errors.js';
import { clientWith, FAKE_API_BASE as BASE } from '../../helpers/fakeApiClient.js';

const ACTION_ID = '7f2f1b1e-0000-4000-8000-000000000001';

const action = (id: string) => ({
  id,
  type: 'LiveResponse',
  requestor: 'app',
  requestorComment: null,
  status: 'Pending',
  machineId: 'a'.repeat(40),
  computerDnsName: 'dev-1',
  creationDateTimeUtc: '2026-11-20T09:00:00Z',
  lastUpdateDateTimeUtc: '2026-11-20T09:00:00Z',
  commands: [],
});
const machine = (n: number) => ({
  id: n.toString(16).padStart(40, 'a'),
  computerDnsName: `dev-${n}`,
  machineTags: [],
  osPlatform: 'Windows11',
});

/** A fake API: `answer` maps each requested URL to a status and body; every URL asked is recorded. */
function fakeApi(answer: (url: URL) => { status?: number; body: unknown }) {
  const urls: URL[] = [];
  const fetchFn = (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    urls.push(url);
    const { status = 200, body } = answer(url);
    return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
  };
  return { urls, fetchFn: fetchFn };
}

/** Three pages of machines, linked by `@odata.nextLink` (page n at ?$skiptoken=n). */
const threePages = (url: URL) => {
  const n = Number(url.searchParams.get('$skiptoken') ?? '0');
  const next = n < 2 ? { '@odata.nextLink': `${BASE}/api/machines?$top=30&$skiptoken=${n + 1}` } : {};
  return { body: { value: [machine(2 * n + 1), machine(2 * n + 2)], ...next } };
};

describe('DefenderClient following @odata.nextLink', () => {
  it('reads every page of a list', async () => {
    const api = fakeApi(threePages);
    const machines = await clientWith(api.fetchFn).listMachines({ top: 30 });
    expect(machines.map((m) => m.computerDnsName)).toEqual(['dev-1', 'dev-2', 'dev-3', 'dev-4', 'dev-5', 'dev-6']);
    expect(api.urls.map((u) => u.searchParams.get('$skiptoken'))).toEqual([null, '1', '2']);
  });

  it('pays every page after the first from the budget, and stops when the budget is spent', async () => {
    const paid: string[] = [];
    const api = fakeApi(threePages);
    await clientWith(api.fetchFn, { payForExtraCall: (what) => Promise.resolve(void paid.push(what)) }).listMachines();
    expect(paid).toEqual(['list machines', 'list machines']);

    const refused = fakeApi(threePages);
    const spent = () => Promise.reject(new ThrottledError('budget spent', 30_000));
    await expect(clientWith(refused.fetchFn, { payForExtraCall: spent }).listMachines()).rejects.toThrow(ThrottledError);
    expect(refused.urls).toHaveLength(1);
  });

  it.each([
    ['another host', 'https://evil.example.com/api/machines?$skiptoken=1'],
    ['another scheme', 'http://api.securitycenter.microsoft.com/api/machines?$skiptoken=1'],
    ['another port', 'https://api.securitycenter.microsoft.com:8443/api/machines?$skiptoken=1'],
    ['a path outside /api/', `${BASE}/results/blob?$skiptoken=1`],
  ])('refuses a next link to %s without requesting it', async (_what, link) => {
    const api = fakeApi(() => ({ body: { value: [machine(1)], '@odata.nextLink': link } }));
    await expect(clientWith(api.fetchFn).listMachines()).rejects.toThrow(PermanentError);
    expect(api.urls).toHaveLength(1);
  });

  it('stops at the page cap with a PermanentError', async () => {
    const api = fakeApi(() => ({ body: { value: [machine(1)], '@odata.nextLink': `${BASE}/api/machines?$skiptoken=again` } }));
    await expect(clientWith(api.fetchFn, { maxPages: 3 }).listMachines()).rejects.toThrow(/more than 3 pages/);
    expect(api.urls).toHaveLength(3);
  });

  it('follows next links for machine actions, alerts and library files too', async () => {
    const paged = (first: unknown, second: unknown) => (url: URL) =>
      url.searchParams.has('$skiptoken')
        ? { body: { value: [second] } }
        : { body: { value: [first], '@odata.nextLink': `${BASE}${url.pathname}?$skiptoken=1` } };
    const file = (fileName: string) => ({ fileName, sha256: null, description: null, createdBy: 'x', hasParameters: false });
    expect(
      await clientWith(fakeApi(paged(action(ACTION_ID), action(ACTION_ID.replace('1', '2')))).fetchFn).listMachineActions({}),
    ).toHaveLength(2);
    expect(
      await clientWith(fakeApi(paged({ id: 'a1' }, { id: 'a2' })).fetchFn).listAlerts({ updatedAfterMs: 0, top: 10, skip: 0 }),
    ).toEqual([{ id: 'a1' }, { id: 'a2' }]);
    expect((await clientWith(fakeApi(paged(file('A.ps1'), file('B.ps1'))).fetchFn).listLibraryFiles()).map((f) => f.fileName)).toEqual([
      'A.ps1',
      'B.ps1',
    ]);
  });
});

describe('DefenderClient filters (documented operators)', () => {
  it('reads several ids one `id eq` at a time once `id in` is refused, and remembers it', async () => {
    const ids = [ACTION_ID, ACTION_ID.replace('1', '2')];
    const api = fakeApi((url) => {
      const filter = url.searchParams.get('$filter') ?? '';
      if (filter.includes(' in ')) return { status: 400, body: { error: { code: 'ODataError', message: "operator 'in'", target: 'x' } } };
      return { body: { value: ids.filter((id) => filter.includes(id)).map(action) } };
    });
    const paid: string[] = [];
    const client = clientWith(api.fetchFn, { payForExtraCall: (what) => Promise.resolve(void paid.push(what)) });
    expect((await client.listMachineActions({ ids })).map((a) => a.id)).toEqual(ids);
    expect((await client.listMachineActions({ ids })).map((a) => a.id)).toEqual(ids);
    const filters = api.urls.map((u) => u.searchParams.get('$filter'));
    expect(filters).toEqual([
      `id in ('${ids[0]}','${ids[1]}')`,
      `id eq '${ids[0]}'`,
      `id eq '${ids[1]}'`,
      `id eq '${ids[0]}'`,
      `id eq '${ids[1]}'`,
    ]);
    // Every request beyond each list's first is paid: 2 after the refused one, 1 on the second list.
    expect(paid).toHaveLength(3);
  });

  it('asks for devices with any of several tags and platforms without `or`, merging the answers once each', async () => {
    const api = fakeApi((url) => {
      const filter = url.searchParams.get('$filter') ?? '';
      return { body: { value: filter.includes("'finance'") ? [machine(1), machine(2)] : [machine(2), machine(3)] } };
    });
    const machines = await clientWith(api.fetchFn).listMachines({ tags: ['finance', 'sales'], osPlatforms: ['Windows11'], top: 10 });
    expect(machines.map((m) => m.computerDnsName)).toEqual(['dev-1', 'dev-2', 'dev-3']);
    expect(api.urls.map((u) => u.searchParams.get('$filter'))).toEqual([
      "machineTags/any(tag: tag eq 'finance') and osPlatform eq 'Windows11'",
      "machineTags/any(tag: tag eq 'sales') and osPlatform eq 'Windows11'",
    ]);
  });
});
