import { describe, expect, it } from 'vitest';
import { runsEvidence } from '../../../functions/runsEvidence.js';
import { runsEvidenceLink } from '../../../functions/runsEvidenceLink.js';
import { isAzuriteDevelopmentAccount } from '../../../shared/azure/developmentAccount.js';
import { DEV_KEY } from '../../../local/azurite.js';
import type { EvidenceItem } from '../../../shared/runs/model.js';
import { createServices } from '../../../shared/services/index.js';
import { startManualRun } from '../../../shared/services/intake/manualRuns.js';
import { FakeEvidenceLinks } from '../../helpers/fakeEvidenceLinks.js';
import { DEVICE, fakeDeps } from '../../helpers/fakes.js';
import { analyst } from '../../helpers/principals.js';
import { callRoute } from '../../helpers/routeCalls.js';
import { makeEvidence } from '../../helpers/runRecords.js';

/** A manual run on DEVICE with `files` stored files (a GetFile each, gzipped, with the original's hash). */
async function runWithEvidence(files: number) {
  const deps = fakeDeps();
  const links = new FakeEvidenceLinks(deps.clock);
  const started = await startManualRun(deps, { playbook: 'collect-hosts-file', devices: [DEVICE], reason: 'INC-1' }, analyst());
  if (!started.ok) throw new Error('no run');
  const runId = started.value.run.runId;
  const stored: EvidenceItem[] = [];
  for (let i = 0; i < files; i += 1) {
    const item = {
      ...makeEvidence(runId, DEVICE, 'ma-1', i),
      contentEncoding: 'gzip',
      originalSha256: 'ef'.repeat(32),
      originalSizeBytes: 42,
    };
    await deps.runs.putEvidence(item);
    stored.push(item);
  }
  return { deps: { ...deps, evidenceLinks: links }, links, runId, stored, services: createServices({ ...deps, evidenceLinks: links }) };
}

const OTHER_RUN = 'm-00000000000000000000000000000000';

describe('GET /api/runs/{id}/evidence', () => {
  it('lists each stored file with its chain of custody from the run record, and the manifest', async () => {
    const { services, runId, stored } = await runWithEvidence(1);

    const response = await callRoute(services, runsEvidence, { roles: ['Responder.Read'], params: { id: runId } });

    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({
      runId,
      trigger: { kind: 'manual', reason: 'INC-1' },
      playbook: { name: 'collect-hosts-file' },
      manifestBlobName: `${runId}/manifest.json`,
      total: 1,
      items: [
        {
          device: { id: DEVICE },
          machineActionId: 'ma-1',
          command: { index: 0, type: 'GetFile', source: 'C:\\Windows\\Temp\\x.log' },
          blob: { name: stored[0]?.blobName, sizeBytes: 10, sha256: 'cd'.repeat(32), contentEncoding: 'gzip' },
          original: { sha256: 'ef'.repeat(32), sizeBytes: 42 },
          collectedUtc: new Date(stored[0]?.collectedMs ?? 0).toISOString(),
        },
      ],
    });
    expect(response.jsonBody).not.toHaveProperty('continuationToken');
  });

  it('pages through many files, each exactly once, with the token it answers', async () => {
    const { services, runId, stored } = await runWithEvidence(7);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const response = await callRoute(services, runsEvidence, {
        roles: ['Responder.Read'],
        params: { id: runId },
        query: { limit: '3', ...(token ? { continuationToken: token } : {}) },
      });
      const page = response.jsonBody as { items: { blob: { name: string } }[]; total: number; continuationToken?: string };
      expect(page.total).toBe(7);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.blob.name));
      token = page.continuationToken;
    } while (token);

    expect(seen.sort()).toEqual(stored.map((s) => s.blobName).sort());
  });

  it('answers 404 for an unknown run, and 400 naming the field for a malformed id or a token it did not issue', async () => {
    const { services, runId } = await runWithEvidence(0);
    const as = { roles: ['Responder.Read'] as const };

    const unknown = await callRoute(services, runsEvidence, { ...as, params: { id: OTHER_RUN } });
    const badId = await callRoute(services, runsEvidence, { ...as, params: { id: '../x' } });
    const badToken = await callRoute(services, runsEvidence, { ...as, params: { id: runId }, query: { continuationToken: 'x' } });
    const noFiles = await callRoute(services, runsEvidence, { ...as, params: { id: runId } });

    expect([unknown.status, badId.status, badToken.status]).toEqual([404, 400, 400]);
    expect(JSON.stringify(badId.jsonBody)).toContain('id: expected a run id');
    expect(JSON.stringify(badToken.jsonBody)).toContain('"path":"continuationToken"');
    expect(noFiles.jsonBody).toMatchObject({ total: 0, items: [] });
    expect(noFiles.jsonBody).not.toHaveProperty('manifestBlobName');
  });
});

describe('POST /api/runs/{id}/evidence/link', () => {
  const evidenceRole = { roles: ['Responder.Evidence'] as const };

  it('answers a link to that one blob for EVIDENCE_LINK_TTL_MS, never cached, and audits the blob and reason but not the link', async () => {
    const { services, deps, links, runId, stored } = await runWithEvidence(1);
    const blob = stored[0]?.blobName ?? '';

    const response = await callRoute(services, runsEvidenceLink, {
      ...evidenceRole,
      params: { id: runId },
      body: { blob, reason: 'INC-1 triage' },
    });

    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store' });
    const answer = response.jsonBody as { blob: string; url: string; expiresAt: string };
    expect(answer.blob).toBe(blob);
    expect(Date.parse(answer.expiresAt)).toBe(deps.clock.nowMs() + 5 * 60_000);
    expect(links.asked).toEqual([{ blobName: blob, ttlMs: 5 * 60_000 }]);
    expect(deps.audit.all()).toMatchObject([
      {
        action: 'evidence.download',
        outcome: 'done',
        target: blob,
        reason: 'INC-1 triage',
        who: { name: 'analyst@contoso.com', roles: ['Responder.Evidence'] },
        requestId: 'req-contract',
      },
    ]);
    const audited = JSON.stringify(deps.audit.all());
    expect(audited).not.toContain(answer.url);
    expect(audited).not.toContain('FAKESIGNATURE');
  });

  it('signs a link to the run’s own manifest once it has stored a file', async () => {
    const { services, runId } = await runWithEvidence(1);
    const response = await callRoute(services, runsEvidenceLink, {
      ...evidenceRole,
      params: { id: runId },
      body: { blob: `${runId}/manifest.json` },
    });
    expect(response.status).toBe(200);
  });

  it.each([
    ['another run’s file', () => `${OTHER_RUN}/${DEVICE}/ma-1/0`],
    ['another run’s manifest', () => `${OTHER_RUN}/manifest.json`],
    ['a path that climbs out of the run', (runId: string) => `${runId}/../${OTHER_RUN}/manifest.json`],
    ['a prefix of the run’s file', (runId: string) => `${runId}/${DEVICE}`],
  ])('refuses %s with 404 naming blob, signs nothing, and audits the attempt', async (_, blobOf) => {
    const { services, deps, links, runId } = await runWithEvidence(1);

    const response = await callRoute(services, runsEvidenceLink, { ...evidenceRole, params: { id: runId }, body: { blob: blobOf(runId) } });

    expect(response.status).toBe(404);
    expect(JSON.stringify(response.jsonBody)).toContain('"path":"blob"');
    expect(links.asked).toEqual([]);
    expect(deps.audit.all()).toMatchObject([{ action: 'evidence.download', outcome: 'invalid', target: runId }]);
  });

  it('refuses the manifest of a run that has stored nothing (there is none yet)', async () => {
    const { services, runId } = await runWithEvidence(0);
    const response = await callRoute(services, runsEvidenceLink, {
      ...evidenceRole,
      params: { id: runId },
      body: { blob: `${runId}/manifest.json` },
    });
    expect(response.status).toBe(404);
  });

  it('answers 400 naming id or blob, and 404 for an unknown run, each audited', async () => {
    const { services, deps, runId, stored } = await runWithEvidence(1);

    const badId = await callRoute(services, runsEvidenceLink, { ...evidenceRole, params: { id: 'x' }, body: { blob: 'x' } });
    const noBlob = await callRoute(services, runsEvidenceLink, { ...evidenceRole, params: { id: runId }, body: { reason: 'why' } });
    const unknown = await callRoute(services, runsEvidenceLink, {
      ...evidenceRole,
      params: { id: OTHER_RUN },
      body: { blob: stored[0]?.blobName },
    });

    expect([badId.status, noBlob.status, unknown.status]).toEqual([400, 400, 404]);
    expect(JSON.stringify(badId.jsonBody)).toContain('"path":"id"');
    expect(JSON.stringify(noBlob.jsonBody)).toContain('"path":"blob"');
    expect(deps.audit.all().map((e) => [e.action, e.outcome])).toEqual([
      ['evidence.download', 'invalid'],
      ['evidence.download', 'invalid'],
      ['evidence.download', 'invalid'],
    ]);
  });

  it('lets a reader list evidence but not download it: the link needs Responder.Evidence', async () => {
    const { services, deps, links, runId, stored } = await runWithEvidence(1);

    const response = await callRoute(services, runsEvidenceLink, {
      roles: ['Responder.Read'],
      params: { id: runId },
      body: { blob: stored[0]?.blobName },
    });

    expect(response.status).toBe(403);
    expect(JSON.stringify(response.jsonBody)).toContain('Responder.Evidence');
    expect(links.asked).toEqual([]);
    expect(deps.audit.all()).toMatchObject([{ action: 'api.request', outcome: 'refused' }]);
  });

  it('answers 503 where the storage account can sign no link, and audits the refusal', async () => {
    const { deps, runId, stored } = await runWithEvidence(1);
    const services = createServices({ ...deps, evidenceLinks: undefined });

    const response = await callRoute(services, runsEvidenceLink, {
      ...evidenceRole,
      params: { id: runId },
      body: { blob: stored[0]?.blobName },
    });

    expect(response).toMatchObject({ status: 503, jsonBody: { error: { code: 'EvidenceLinksUnavailable' } } });
    expect(deps.audit.all()).toMatchObject([{ action: 'evidence.download', outcome: 'refused' }]);
  });
});

describe('the development-key signer', () => {
  const azurite = (account: string, key: string, endpoint: string) =>
    `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${key};BlobEndpoint=${endpoint}/${account};`;

  it.each([
    ['Azurite’s account on loopback', azurite('devstoreaccount1', DEV_KEY, 'http://127.0.0.1:10000'), true],
    ['UseDevelopmentStorage=true', 'UseDevelopmentStorage=true', true],
    ['a real account’s key', azurite('devstoreaccount1', 'c2VjcmV0', 'http://127.0.0.1:10000'), false],
    ['Azurite’s key on a remote host', azurite('devstoreaccount1', DEV_KEY, 'https://devstoreaccount1.blob.core.windows.net'), false],
    ['another account', azurite('contosoevidence', DEV_KEY, 'http://127.0.0.1:10000'), false],
  ])('is chosen only for Azurite’s own account on loopback: %s', (_, connectionString, expected) => {
    expect(isAzuriteDevelopmentAccount(connectionString)).toBe(expected);
  });
});
