import { isRunId } from '../shared/runs/ids.js';
import { evidenceLinkRequestSchema, evidenceLinkSchema } from '../shared/services/evidenceAccess/evidenceLink.js';
import { httpFunction } from './lib/binding.js';
import { auditOf, readJson, refuseInvalid, RUN_ID_ISSUE } from './lib/http.js';
import { errorAnswer, errorResponse } from './lib/routeContract.js';

/** A signed link is a credential: no cache, proxy or browser may keep the answer. */
const NEVER_CACHED = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/**
 * POST /api/runs/{id}/evidence/link {blob, reason?} -> 200 {blob, url, expiresAt}: a short-lived read-only link to
 * one blob of the run. Role Responder.Evidence; every download audited with the blob, never the link.
 */
export const runsEvidenceLink = httpFunction({
  name: 'runsEvidenceLink',
  methods: ['POST'],
  route: 'runs/{id}/evidence/link',
  role: 'Responder.Evidence',
  api: {
    summary: 'A short-lived, read-only link to one stored file (or the manifest) of a run; audited, never cached',
    body: evidenceLinkRequestSchema,
    responses: {
      200: { description: 'the link and when it stops working', schema: evidenceLinkSchema },
      400: errorAnswer('the id or the body is invalid, naming the field'),
      404: errorAnswer('no run has this id, or the blob is not one of its files (naming blob)'),
      503: errorAnswer('this storage account cannot sign links (a connection string other than Azurite’s development account)'),
    },
  },
  handler: async (services, request, caller) => {
    const runId = request.params.id ?? '';
    const audit = { ...auditOf('evidence.download', caller), target: runId.slice(0, 500) };
    if (!isRunId(runId)) return refuseInvalid(services, audit, [RUN_ID_ISSUE]);
    const body = await readJson(request);
    if (!body.ok) return refuseInvalid(services, audit, body.errors);
    const outcome = await services.evidenceLink(runId, body.value);
    switch (outcome.kind) {
      case 'invalid':
        return refuseInvalid(services, audit, outcome.issues);
      case 'no-run':
        await services.recordAudit({ ...audit, outcome: 'invalid', detail: 'id: no such run' });
        return errorResponse(404, 'NotFound', `run ${runId} was not found`);
      case 'not-evidence': {
        const asked = JSON.stringify(requestedBlob(body.value)).slice(0, 1_000);
        await services.recordAudit({ ...audit, outcome: 'invalid', detail: `blob: ${asked} is not evidence of this run` });
        return errorResponse(404, 'NotFound', `blob: not a stored file or the manifest of run ${runId}`, {
          details: [{ path: 'blob', message: 'not a stored file or the manifest of this run' }],
        });
      }
      case 'unavailable':
        await services.recordAudit({ ...audit, outcome: 'refused', detail: 'no link signer for this storage account' });
        return errorResponse(
          503,
          'EvidenceLinksUnavailable',
          'this storage account cannot sign evidence links: use STORAGE_BLOB_URI with an identity',
        );
      case 'signed':
        // The blob and the expiry are audited; the link itself never is.
        await services.recordAudit({
          ...audit,
          outcome: 'done',
          target: outcome.link.blob,
          ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
          detail: `read-only link until ${outcome.link.expiresAt} (${outcome.signing})`,
        });
        return { status: 200, headers: NEVER_CACHED, jsonBody: outcome.link };
    }
  },
});

function requestedBlob(body: unknown): unknown {
  return typeof body === 'object' && body !== null && 'blob' in body ? body.blob : undefined;
}
