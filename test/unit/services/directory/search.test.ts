import { describe, expect, it } from 'vitest';
import type { CachedDevice } from '../../../../shared/devices/directoryStore.js';
import { searchDevices } from '../../../../shared/services/directory/search.js';
import { fakeDeps } from '../../../helpers/fakes.js';

const id = (n: number): string => n.toString(16).padStart(40, '0');

async function directoryWith(devices: CachedDevice[]) {
  const deps = fakeDeps();
  await deps.devices.write(devices, []);
  return deps;
}

describe('searching the cached device directory', () => {
  it('finds devices by part of the name or the start of the id, without regard to case, ordered by name', async () => {
    const deps = await directoryWith([
      { id: id(1), name: 'ws-finance-07.contoso.com', tags: [] },
      { id: id(2), name: 'srv-sql-01.contoso.com', tags: [] },
      { id: id(3), name: 'WS-FINANCE-02.contoso.com', tags: [] },
      { id: 'ab'.padEnd(40, '0'), tags: [] },
    ]);
    const byName = await searchDevices(deps, { search: 'Finance' });
    expect(byName.ok && byName.value.devices.map((d) => d.id)).toEqual([id(3), id(1)]);
    const byId = await searchDevices(deps, { search: 'AB00' });
    expect(byId.ok && byId.value.devices.map((d) => d.id)).toEqual(['ab'.padEnd(40, '0')]);
    expect(deps.defender.calls).toEqual([]);
  });

  it('finds devices carrying a tag (the whole tag, any case), combined with a search', async () => {
    const deps = await directoryWith([
      { id: id(1), name: 'ws-a', tags: ['Finance', 'VIP'] },
      { id: id(2), name: 'ws-b', tags: ['finance-lab'] },
      { id: id(3), name: 'srv-c', tags: ['finance'] },
    ]);
    const tagged = await searchDevices(deps, { tag: 'FINANCE' });
    expect(tagged.ok && tagged.value.devices.map((d) => d.name)).toEqual(['srv-c', 'ws-a']);
    const both = await searchDevices(deps, { tag: 'finance', search: 'ws' });
    expect(both.ok && both.value.devices.map((d) => d.name)).toEqual(['ws-a']);
  });

  it('answers a page at a time, each page continuing where the last stopped, the last without a token', async () => {
    const deps = await directoryWith(Array.from({ length: 5 }, (_, i) => ({ id: id(i + 1), name: `dev-${i}`, tags: [] })));
    const first = await searchDevices(deps, { limit: '2' });
    if (!first.ok) throw new Error('refused');
    expect(first.value.devices.map((d) => d.name)).toEqual(['dev-0', 'dev-1']);
    const second = await searchDevices(deps, { limit: '2', continuationToken: first.value.continuationToken });
    if (!second.ok) throw new Error('refused');
    expect(second.value.devices.map((d) => d.name)).toEqual(['dev-2', 'dev-3']);
    const last = await searchDevices(deps, { limit: '2', continuationToken: second.value.continuationToken });
    expect(last.ok && last.value).toEqual({ devices: [expect.objectContaining({ name: 'dev-4' })] });
  });

  it('refuses a token it did not issue and a limit out of range, naming the parameter', async () => {
    const deps = await directoryWith([]);
    const refused = await searchDevices(deps, { continuationToken: 'o-1', limit: '500' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.map((e) => e.path).sort()).toEqual(['continuationToken', 'limit']);
  });
});
