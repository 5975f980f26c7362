import { afterEach, describe, expect, it } from 'vitest';
import { deviceId, errorOf, jsonOf, manyDevicesFleet, runScript, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

type Page = { value: { id?: string; fileName?: string }[]; '@odata.nextLink'?: string; '@odata.count'?: number };

describe('server-driven paging (pageSize, README choice 28)', () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });

  const page = async (pathOrLink: string): Promise<Page> => {
    const res = await t.call(pathOrLink.startsWith('http') ? pathOrLink.slice(t.sim.url.length) : pathOrLink);
    expect(res.status).toBe(200);
    return jsonOf<Page>(res);
  };

  /** Every page from `path` on, following @odata.nextLink; `between` runs after each page. */
  const allPages = async (path: string, between: () => Promise<void> = () => Promise.resolve()): Promise<Page[]> => {
    const pages: Page[] = [];
    let next: string | undefined = path;
    while (next !== undefined) {
      const current = await page(next);
      pages.push(current);
      next = current['@odata.nextLink'];
      await between();
    }
    return pages;
  };

  const createActions = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 1; i <= count; i++) {
      const res = await t.runLiveResponse(deviceId(i), [runScript('Echo.ps1')]);
      ids.push((await jsonOf<{ id: string }>(res)).id);
      t.clock.advance(6_100);
    }
    return ids;
  };

  it('answers every machine on one page without a next link in the lenient profile', async () => {
    t = await startTestSimulator({ fleet: manyDevicesFleet(25) });
    const only = await page('/api/machines');
    expect(only.value).toHaveLength(25);
    expect(only['@odata.nextLink']).toBeUndefined();
  });

  it('pages machines by ten under the strict profile, with a same-origin absolute next link', async () => {
    t = await startTestSimulator({ fleet: manyDevicesFleet(25), settings: { profile: 'strict' } });
    const pages = await allPages('/api/machines');
    expect(pages.map((p) => p.value.length)).toEqual([10, 10, 5]);
    expect(pages.flatMap((p) => p.value.map((m) => m.id))).toEqual(Array.from({ length: 25 }, (_, i) => deviceId(i + 1)));
    const link = new URL(pages[0]?.['@odata.nextLink'] ?? '');
    expect(link.origin).toBe(new URL(t.sim.url).origin);
    expect(link.pathname).toBe('/api/machines');
    expect(link.searchParams.get('$skiptoken')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("keeps the client's $filter, $count and $top in the next link and stops at $top", async () => {
    t = await startTestSimulator({ fleet: manyDevicesFleet(40), settings: { pageSize: 10 } });
    const pages = await allPages("/api/machines?$filter=osPlatform eq 'Windows11'&$count=true&$top=25");
    expect(pages.map((p) => p.value.length)).toEqual([10, 10, 5]);
    const link = new URL(pages[0]?.['@odata.nextLink'] ?? '');
    expect(link.searchParams.get('$filter')).toBe("osPlatform eq 'Windows11'");
    expect(link.searchParams.get('$top')).toBe('25');
    expect(pages[1]?.['@odata.count']).toBe(40);
  });

  it('gives no next link when $top is smaller than a page', async () => {
    t = await startTestSimulator({ fleet: manyDevicesFleet(25), settings: { pageSize: 10 } });
    const only = await page('/api/machines?$top=4');
    expect(only.value).toHaveLength(4);
    expect(only['@odata.nextLink']).toBeUndefined();
  });

  it('applies $skip once, on the first page', async () => {
    t = await startTestSimulator({ fleet: manyDevicesFleet(25), settings: { pageSize: 10 } });
    const pages = await allPages('/api/machines?$skip=3');
    expect(pages.flatMap((p) => p.value.map((m) => m.id))).toEqual(Array.from({ length: 22 }, (_, i) => deviceId(i + 4)));
  });

  it('neither skips nor repeats machine actions when new ones are created between pages', async () => {
    t = await startTestSimulator({ fleet: manyDevicesFleet(30), settings: { pageSize: 10 } });
    const before = await createActions(20);
    let extra = 21;
    const pages = await allPages('/api/machineactions', async () => {
      t.clock.advance(6_100);
      expect((await t.runLiveResponse(deviceId(extra++), [runScript('Echo.ps1')])).status).toBe(201);
    });
    expect(pages.flatMap((p) => p.value.map((a) => a.id))).toEqual([...before].reverse());
  });

  it('pages alerts and serves an alert added between pages on a later page, once', async () => {
    t = await startTestSimulator({ settings: { pageSize: 10 } });
    for (let i = 0; i < 15; i++) t.sim.addAlert({ id: `da${i}` });
    let added = false;
    const pages = await allPages('/api/alerts', () => {
      if (!added) t.sim.addAlert({ id: 'da-late' });
      added = true;
      return Promise.resolve();
    });
    expect(pages.flatMap((p) => p.value.map((a) => a.id))).toEqual([...Array.from({ length: 15 }, (_, i) => `da${i}`), 'da-late']);
  });

  it('pages library files', async () => {
    const library = Array.from({ length: 12 }, (_, i) => ({ fileName: `S${i}.ps1`, content: 'x' }));
    t = await startTestSimulator({ fleet: manyDevicesFleet(1, { library }), settings: { pageSize: 10 } });
    const pages = await allPages('/api/libraryfiles');
    expect(pages.map((p) => p.value.map((f) => f.fileName))).toEqual(
      [library.slice(0, 10), library.slice(10)].map((l) => l.map((f) => f.fileName)),
    );
  });

  it('refuses an unknown skip token with 400 naming it', async () => {
    t = await startTestSimulator({ fleet: manyDevicesFleet(3), settings: { pageSize: 10 } });
    const res = await t.call('/api/machines?$skiptoken=not-a-token');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("$skiptoken 'not-a-token'");
  });

  it("refuses another list's skip token", async () => {
    t = await startTestSimulator({ fleet: manyDevicesFleet(12), settings: { pageSize: 10 } });
    const token = new URL((await page('/api/machines'))['@odata.nextLink'] ?? '').searchParams.get('$skiptoken') ?? '';
    const res = await t.call(`/api/alerts?$skiptoken=${token}`);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain(`$skiptoken '${token}'`);
  });
});
