/**
 * The RunStore conformance suite: one set of expectations run against every
 * adapter (the Table store on Azurite and the in-memory fake), so the fake
 * the service tests use cannot drift from production: same validation, same
 * conditional writes, same order of what is read back.
 */
import { describe, expect, it } from 'vitest';
import { NotFoundError, PermanentError, ValidationError } from '../../shared/errors.js';
import type { DeviceAction, EvidenceItem, Run } from '../../shared/runs/model.js';
import type { RunStore } from '../../shared/runs/store.js';
import { eachRun, type ListRunsQuery, type RunPage } from '../../shared/runs/listing.js';
import { CREATED_MS, hexId, makeAction, makeEvidence, makeRun } from '../helpers/runRecords.js';

/** `makeStore` gives a fresh, empty store each time it is called. */
export function describeRunStoreContract(adapter: string, makeStore: () => Promise<RunStore>): void {
  describe(`RunStore contract: ${adapter}`, () => {
    it("creates a run with its actions and reads them back, actions in the run's device order", async () => {
      const store = await makeStore();
      const devices = [hexId(3), hexId(1), hexId(2)];
      const run = makeRun('run-1', devices);
      expect(
        await store.createRun(
          run,
          [hexId(2), hexId(3), hexId(1)].map((d) => makeAction('run-1', d)),
        ),
      ).toBe('created');
      const view = await store.getRun('run-1');
      expect(view?.run).toEqual(run);
      expect(view?.actions.map((a) => a.deviceId)).toEqual(devices);
      expect(view?.actions[0]).toEqual(makeAction('run-1', hexId(3)));
      expect(view?.evidence).toEqual([]);
      const action = await store.getAction('run-1', hexId(1));
      expect(action?.value).toEqual(makeAction('run-1', hexId(1)));
      expect(action?.etag).toMatch(/\S/);
    });

    it('answers undefined for an unknown run or action', async () => {
      const store = await makeStore();
      expect(await store.getRun('nope')).toBeUndefined();
      expect(await store.getAction('nope', hexId(1))).toBeUndefined();
    });

    it("answers 'exists' for a second createRun and leaves the first unchanged", async () => {
      const store = await makeStore();
      const first = makeRun('run-dup', [hexId(1)]);
      await store.createRun(first, [makeAction('run-dup', hexId(1))]);
      const second = makeRun('run-dup', [hexId(1), hexId(9)], 'da-other');
      const outcome = await store.createRun(second, [makeAction('run-dup', hexId(1), 'D:\\other'), makeAction('run-dup', hexId(9))]);
      expect(outcome).toBe('exists');
      const view = await store.getRun('run-dup');
      expect(view?.run).toEqual(first);
      expect(view?.actions).toEqual([makeAction('run-dup', hexId(1))]);
    });

    it("replaces an action when the etag matches and answers 'conflict' when it is stale", async () => {
      const store = await makeStore();
      await store.createRun(makeRun('run-r', [hexId(1)]), [makeAction('run-r', hexId(1))]);
      const read = await store.getAction('run-r', hexId(1));
      if (!read) throw new Error('action missing');
      const submitting: DeviceAction = { ...read.value, state: 'submitting', submitAttempts: 1, updatedMs: 1_700_000_001_000 };
      expect(await store.replaceAction(submitting, read.etag)).toBe('ok');
      const stale: DeviceAction = { ...read.value, state: 'rejected', lastError: 'late writer' };
      expect(await store.replaceAction(stale, read.etag)).toBe('conflict');
      const after = await store.getAction('run-r', hexId(1));
      expect(after?.value).toEqual(submitting);
      expect(after?.etag).not.toBe(read.etag);
    });

    it('refuses to replace an action that does not exist', async () => {
      const store = await makeStore();
      await expect(store.replaceAction(makeAction('ghost', hexId(1)), '*')).rejects.toBeInstanceOf(NotFoundError);
    });

    it("records evidence once, answers 'exists' the second time, and reads it back by device, action and command", async () => {
      const store = await makeStore();
      await store.createRun(makeRun('run-e', [hexId(2), hexId(1)]), [makeAction('run-e', hexId(2)), makeAction('run-e', hexId(1))]);
      const guid = '6b1d3c6e-8a7e-4d3f-9a55-0c1f6d2a9b10';
      const item = makeEvidence('run-e', hexId(1), guid, 0);
      expect(await store.putEvidence(makeEvidence('run-e', hexId(2), 'a', 0))).toBe('created');
      expect(await store.putEvidence(makeEvidence('run-e', hexId(1), guid, 1))).toBe('created');
      expect(await store.putEvidence(item)).toBe('created');
      expect(await store.putEvidence({ ...item, sizeBytes: 99 })).toBe('exists');
      expect(await store.putEvidence(makeEvidence('run-e', hexId(1), '0-first', 7))).toBe('created');
      const view = await store.getRun('run-e');
      expect(view?.evidence).toEqual([
        makeEvidence('run-e', hexId(1), '0-first', 7),
        item,
        makeEvidence('run-e', hexId(1), guid, 1),
        makeEvidence('run-e', hexId(2), 'a', 0),
      ]);
    });

    it('refuses records its schemas refuse, and actions that do not belong, storing nothing', async () => {
      const store = await makeStore();
      const bad = { ...makeAction('run-v', hexId(1)), state: 'bogus' } as unknown as DeviceAction;
      await expect(store.createRun(makeRun('run-v', [hexId(1)]), [bad])).rejects.toBeInstanceOf(ValidationError);
      const badRun = { ...makeRun('run-v', [hexId(1)]), trigger: { kind: 'rumour' } } as unknown as Run;
      await expect(store.createRun(badRun, [makeAction('run-v', hexId(1))])).rejects.toBeInstanceOf(ValidationError);
      const beforeEpoch = makeRun('run-v', [hexId(1)], 'da-1', 0);
      await expect(store.createRun({ ...beforeEpoch, createdMs: -1 }, [makeAction('run-v', hexId(1))])).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.createRun(makeRun('run-v', [hexId(1)]), [makeAction('other', hexId(1))])).rejects.toThrow(/belongs to run other/);
      const twice = [makeAction('run-v', hexId(1)), makeAction('run-v', hexId(1))];
      await expect(store.createRun(makeRun('run-v', [hexId(1)]), twice)).rejects.toThrow(/two actions/);
      await expect(store.createRun(makeRun('run-v', [hexId(1)]), twice)).rejects.toBeInstanceOf(PermanentError);
      expect(await store.getRun('run-v')).toBeUndefined();

      await store.createRun(makeRun('run-v', [hexId(1)]), [makeAction('run-v', hexId(1))]);
      const read = await store.getAction('run-v', hexId(1));
      await expect(store.replaceAction(bad, read?.etag ?? '')).rejects.toBeInstanceOf(ValidationError);
      const badItem = { ...makeEvidence('run-v', hexId(1), 'x', 0), sizeBytes: 'ten' } as unknown as EvidenceItem;
      await expect(store.putEvidence(badItem)).rejects.toBeInstanceOf(ValidationError);
      const view = await store.getRun('run-v');
      expect(view?.actions).toEqual([makeAction('run-v', hexId(1))]);
      expect(view?.evidence).toEqual([]);
    });

    it('keeps records as their schemas output them: defaults filled in, unknown fields dropped', async () => {
      const store = await makeStore();
      const { refused: _refused, ...runWithoutRefused } = makeRun('run-d', [hexId(1)]);
      const { commandOutcomes: _o, collectIndexes: _c, submitAttempts: _s, ...bareAction } = makeAction('run-d', hexId(1));
      const extra = { ...bareAction, note: 'not in the schema' };
      await store.createRun(runWithoutRefused as Run, [extra as unknown as DeviceAction]);
      const view = await store.getRun('run-d');
      expect(view?.run).toEqual(makeRun('run-d', [hexId(1)]));
      expect(view?.actions).toEqual([{ ...makeAction('run-d', hexId(1)), collectIndexes: [] }]);
      expect(view?.actions[0]).not.toHaveProperty('note');
    });

    it("keeps its own copies: the caller's objects, before or after a call, never change what is stored", async () => {
      const store = await makeStore();
      const run = makeRun('run-c', [hexId(1)]);
      const action = makeAction('run-c', hexId(1));
      const item = makeEvidence('run-c', hexId(1), 'act', 0);
      await store.createRun(run, [action]);
      await store.putEvidence(item);
      run.deviceIds.push('late');
      action.commands.length = 0;
      item.sizeBytes = 1;
      const view = await store.getRun('run-c');
      view?.actions[0]?.collectIndexes.push(5);
      const read = await store.getAction('run-c', hexId(1));
      read?.value.collectIndexes.push(6);
      const again = await store.getRun('run-c');
      expect(again?.run).toEqual(makeRun('run-c', [hexId(1)]));
      expect(again?.actions).toEqual([makeAction('run-c', hexId(1))]);
      expect(again?.evidence).toEqual([makeEvidence('run-c', hexId(1), 'act', 0)]);
    });

    describe('listRuns', () => {
      /** Creates runs `ids[i]` at CREATED_MS + createdOffsetsMs[i]. */
      async function storeWith(runs: [id: string, createdOffsetMs: number][]): Promise<RunStore> {
        const store = await makeStore();
        for (const [id, offsetMs] of runs)
          await store.createRun(makeRun(id, [hexId(1)], 'da-1', CREATED_MS + offsetMs), [makeAction(id, hexId(1))]);
        return store;
      }
      const ids = (page: RunPage): string[] => page.runs.map((r) => r.runId);

      it('lists nothing, and no continuation, for an empty store', async () => {
        const store = await makeStore();
        expect(await store.listRuns({ limit: 10 })).toEqual({ runs: [] });
      });

      it('lists runs newest first, as they were created', async () => {
        const store = await storeWith([
          ['run-b', 2_000],
          ['run-a', 3_000],
          ['run-c', 1_000],
          ['run-d', 2_500.75],
        ]);
        const page = await store.listRuns({ limit: 10 });
        expect(ids(page)).toEqual(['run-a', 'run-d', 'run-b', 'run-c']);
        expect(page.runs[1]).toEqual(makeRun('run-d', [hexId(1)], 'da-1', CREATED_MS + 2_500.75));
        expect(page.continuationToken).toBeUndefined();
      });

      it('honours the page size, and the continuation gives the rest once each, then no continuation', async () => {
        const store = await storeWith(Array.from({ length: 7 }, (_, i): [string, number] => [`run-${i}`, i * 1_000]));
        const first = await store.listRuns({ limit: 3 });
        expect(ids(first)).toEqual(['run-6', 'run-5', 'run-4']);
        const second = await store.listRuns({ limit: 3, continuationToken: first.continuationToken });
        expect(ids(second)).toEqual(['run-3', 'run-2', 'run-1']);
        const last = await store.listRuns({ limit: 3, continuationToken: second.continuationToken });
        expect(last).toEqual({ runs: [makeRun('run-0', [hexId(1)], 'da-1', CREATED_MS)] });
        const exact = await store.listRuns({ limit: 7 });
        expect(ids(exact)).toHaveLength(7);
        expect(exact.continuationToken).toBeUndefined();
      });

      it('lists runs created in the same millisecond by run id, each once across pages', async () => {
        const same = ['m-b', 'a-x', 'm-a', 's-1', 'a-y'];
        const store = await storeWith(same.map((id): [string, number] => [id, 0]));
        const whole = ids(await store.listRuns({ limit: 10 }));
        expect(whole).toEqual([...same].sort());
        const paged: string[] = [];
        for await (const run of eachRun(store, { limit: 2 })) paged.push(run.runId);
        expect(paged).toEqual(whole);
      });

      it('keeps to createdFromMs (inclusive) and createdBeforeMs (exclusive), across pages too', async () => {
        const store = await storeWith(Array.from({ length: 6 }, (_, i): [string, number] => [`run-${i}`, i * 1_000]));
        const window = { createdFromMs: CREATED_MS + 1_000, createdBeforeMs: CREATED_MS + 4_000 };
        expect(ids(await store.listRuns({ limit: 10, ...window }))).toEqual(['run-3', 'run-2', 'run-1']);
        const first = await store.listRuns({ limit: 2, ...window });
        expect(ids(first)).toEqual(['run-3', 'run-2']);
        expect(await store.listRuns({ limit: 2, ...window, continuationToken: first.continuationToken })).toEqual({
          runs: [makeRun('run-1', [hexId(1)], 'da-1', CREATED_MS + 1_000)],
        });
        expect(ids(await store.listRuns({ limit: 10, createdBeforeMs: CREATED_MS + 1_000 }))).toEqual(['run-0']);
        expect(ids(await store.listRuns({ limit: 10, createdFromMs: CREATED_MS + 5_000 }))).toEqual(['run-5']);
        expect(await store.listRuns({ limit: 10, createdFromMs: CREATED_MS + 5_001 })).toEqual({ runs: [] });
      });

      it.each([
        ['a limit of 0', { limit: 0 }],
        ['a limit over 1000', { limit: 1001 }],
        ['a fractional limit', { limit: 2.5 }],
        ['a negative createdFromMs', { limit: 5, createdFromMs: -1 }],
        ['a fractional createdBeforeMs', { limit: 5, createdBeforeMs: 1.5 }],
        ['an unknown field', { limit: 5, createdAfterMs: 1 }],
        ['an empty continuation token', { limit: 5, continuationToken: '' }],
        ['a continuation token the store did not issue', { limit: 5, continuationToken: 'bm90LWEtdG9rZW4' }],
      ])('refuses %s', async (_what, query) => {
        const store = await storeWith([['run-0', 0]]);
        await expect(store.listRuns(query as ListRunsQuery)).rejects.toBeInstanceOf(ValidationError);
      });
    });
  });
}
