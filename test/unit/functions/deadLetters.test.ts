import { describe, expect, it } from 'vitest';
import { deadLettersPurge, deadLettersReplay } from '../../../functions/deadLettersAct.js';
import { deadLettersList } from '../../../functions/deadLettersList.js';
import { createServices } from '../../../shared/services/index.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { callRoute } from '../../helpers/routeCalls.js';

const admin = ['Responder.Admin'] as const;
const LINK = 'https://results.blob.core.windows.net/abc/out.json?sv=2024&sig=SECRETSIG';

function world() {
  const deps = fakeDeps();
  const malformed = deps.deadLetters.poison(
    'actions',
    { runId: 'r1', resultLink: LINK, note: `fetched ${LINK}`, accessToken: 'eyJhbGciOi.eyJzdWIiOi.c2ln' },
    { reason: 'MalformedMessage', description: `could not read ${LINK}`, originalMessageId: 'm1' },
  );
  const failed = deps.deadLetters.poison(
    'collect',
    { runId: 'r2' },
    { reason: 'TransferFailed', description: 'y', originalMessageId: 'm2' },
  );
  return { deps, services: createServices(deps), malformed, failed };
}

describe('GET /api/deadletters', () => {
  it('lists dead letters with only the redacted preview: no secret, token or link of the body or description leaks', async () => {
    const { services, malformed } = world();
    const response = await callRoute(services, deadLettersList, { roles: admin, query: { queues: 'actions' } });
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({ entries: [{ id: malformed, reason: 'MalformedMessage', previewTruncated: false }] });
    const text = JSON.stringify(response.jsonBody);
    expect(text).toContain('r1');
    for (const secret of ['SECRETSIG', 'blob.core.windows.net', 'eyJhbGciOi', 'https://']) expect(text).not.toContain(secret);
  });

  it('filters by queue, source and dead-letter reason, and pages with after', async () => {
    const { services, failed } = world();
    const first = await callRoute(services, deadLettersList, { roles: admin, query: { limit: '1' } });
    const { next } = first.jsonBody as { next: string };
    const second = await callRoute(services, deadLettersList, { roles: admin, query: { limit: '1', after: next } });
    expect(second.jsonBody).toMatchObject({ entries: [{ id: failed }] });
    const byReason = await callRoute(services, deadLettersList, {
      roles: admin,
      query: { queues: 'actions,collect', source: 'poison', deadLetterReason: 'transferfailed' },
    });
    expect((byReason.jsonBody as { entries: { id: string }[] }).entries.map((e) => e.id)).toEqual([failed]);
  });

  it('answers 400 naming each bad parameter, a cursor it did not issue included', async () => {
    const { services } = world();
    const bad = await callRoute(services, deadLettersList, { roles: admin, query: { queues: 'actions,bogus', limit: '0', sort: 'x' } });
    expect(bad.status).toBe(400);
    const paths = (bad.jsonBody as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['queues.1', 'limit']));
    const cursor = await callRoute(services, deadLettersList, { roles: admin, query: { after: 'actions:poison:nope' } });
    expect(cursor).toMatchObject({ status: 400, jsonBody: { error: { details: [{ path: 'after' }] } } });
  });
});

describe('POST /api/deadletters/replay and /purge', () => {
  it('replays the ids given, answers each outcome, and records who, why and the outcomes in the audit log', async () => {
    const { deps, services, malformed } = world();
    const response = await callRoute(services, deadLettersReplay, {
      roles: admin,
      body: { ids: [malformed, 'actions:poison:999'], reason: 'INC-9 parser fixed' },
    });
    expect(response).toMatchObject({
      status: 200,
      jsonBody: { counts: { replayed: 1, 'not-found': 1 }, outcomes: [{ id: malformed, outcome: 'replayed' }, { outcome: 'not-found' }] },
    });
    expect(deps.bus.take('actions')).toMatchObject([{ body: { runId: 'r1' } }]);
    expect(deps.audit.all()).toMatchObject([
      {
        action: 'deadletters.replay',
        outcome: 'done',
        reason: 'INC-9 parser fixed',
        target: expect.stringContaining(malformed) as string,
        detail: expect.stringContaining('1 replayed') as string,
        who: { name: 'analyst@contoso.com', roles: ['Responder.Admin'] },
      },
    ]);
  });

  it('purges everything a filter selects with all, the dead letter’s own reason as deadLetterReason', async () => {
    const { deps, services, malformed, failed } = world();
    const response = await callRoute(services, deadLettersPurge, {
      roles: admin,
      body: { all: true, deadLetterReason: 'MalformedMessage', reason: 'INC-10 junk' },
    });
    expect(response).toMatchObject({ status: 200, jsonBody: { outcomes: [{ id: malformed, outcome: 'purged' }] } });
    expect((await deps.deadLetters.list({}, { limit: 10 })).entries.map((e) => e.id)).toEqual([failed]);
    expect(deps.audit.all()).toMatchObject([{ action: 'deadletters.purge', outcome: 'done', reason: 'INC-10 junk' }]);
  });

  it('refuses a replay without a reason, or with ids and all mixed, naming the field, and records the attempt', async () => {
    const { deps, services, malformed } = world();
    const noReason = await callRoute(services, deadLettersReplay, { roles: admin, body: { ids: [malformed] } });
    expect(noReason).toMatchObject({ status: 400, jsonBody: { error: { details: [{ path: 'reason' }] } } });
    const mixed = await callRoute(services, deadLettersPurge, { roles: admin, body: { all: true, ids: [malformed], reason: 'x' } });
    expect(mixed.status).toBe(400);
    expect(JSON.stringify(mixed.jsonBody)).toContain('ids');
    // Both entries carry the same instant (the manual clock), so their order in the log is not defined.
    const entries = [...deps.audit.all()].sort((a, b) => a.action.localeCompare(b.action));
    expect(entries).toMatchObject([
      { action: 'deadletters.purge', outcome: 'invalid' },
      { action: 'deadletters.replay', outcome: 'invalid', detail: expect.stringContaining('reason') as string },
    ]);
    expect(deps.bus.sent).toEqual([]);
    expect((await deps.deadLetters.list({}, { limit: 10 })).entries).toHaveLength(2);
  });
});
