import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { AuditedAction } from '../../shared/audit/auditLog.js';
import { fail, ok, type Issue, type Result } from '../../shared/result.js';
import type { AuditRecord, Caller } from '../../shared/services/audit/record.js';
import type { Services } from '../../shared/services/index.js';
import { errorResponse } from './routeContract.js';

/** The largest JSON body a route reads: its requests are small (a playbook name, up to 500 device ids, a reason). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Why a request body was not read: 413 when it is too large, else 400; the message names what is wrong. */
export interface BodyRefusal {
  status: 400 | 413;
  message: string;
}

/**
 * Reads a JSON body, refusing one larger than MAX_BODY_BYTES before it is
 * read whole: at once from its Content-Length, else as soon as the bytes
 * read pass the cap (the stream is cancelled).
 */
export async function readJson(request: Pick<HttpRequest, 'headers' | 'body'>): Promise<Result<unknown, BodyRefusal>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) return fail({ status: 400, message: 'Content-Type must be application/json' });
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > MAX_BODY_BYTES) return fail(tooLarge());
  const bytes = await readCapped(request.body, MAX_BODY_BYTES);
  if (!bytes) return fail(tooLarge());
  try {
    return ok(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown);
  } catch {
    return fail({ status: 400, message: 'body is not valid JSON (UTF-8)' });
  }
}

function tooLarge(): BodyRefusal {
  return { status: 413, message: `body exceeds ${MAX_BODY_BYTES} bytes` };
}

/** The stream's bytes, or undefined (the stream cancelled) once they pass `cap`. */
async function readCapped(body: ReadableStream<Uint8Array> | null, cap: number): Promise<Uint8Array | undefined> {
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** 400 for a request body that fails validation (issues naming each field) or cannot be read (413 when too large). */
export function invalidBody(problem: BodyRefusal | readonly Issue[]): HttpResponseInit {
  if (isIssues(problem)) return errorResponse(400, 'InvalidRequestBody', 'the request body is invalid', { details: problem });
  return problem.status === 413
    ? errorResponse(413, 'RequestBodyTooLarge', problem.message, { details: [{ path: 'body', message: problem.message }] })
    : errorResponse(400, 'InvalidRequestBody', problem.message);
}

function isIssues(problem: BodyRefusal | readonly Issue[]): problem is readonly Issue[] {
  return Array.isArray(problem);
}

/** The query string as an object (a repeated parameter: its last value), for a route's query schema. */
export function queryOf(request: HttpRequest): Record<string, string> {
  return Object.fromEntries(request.query);
}

/** 200 with a read's answer, or 400 for query parameters that failed validation, naming each. */
export function answerRead(result: Result<unknown, readonly Issue[]>): HttpResponseInit {
  return result.ok
    ? { status: 200, jsonBody: result.value }
    : errorResponse(400, 'InvalidQuery', 'the query is invalid', { details: result.errors });
}

/** The issue a route answers for an `{id}` that is not a run id (runs/{id}/...). */
export const RUN_ID_ISSUE: Issue = { path: 'id', message: 'expected a run id such as a-0123abcd...' };

/** What an audited route records about its caller, for services.recordAudit. */
export function auditOf(action: AuditedAction, caller: Caller): Pick<AuditRecord, 'action' | 'principal' | 'requestId' | 'sourceAddress'> {
  return { action, principal: caller.principal, requestId: caller.requestId, sourceAddress: caller.sourceAddress };
}

/** A 400 for an invalid request to an audited route, recorded as an `invalid` attempt first. */
export async function refuseInvalid(
  services: Services,
  audit: ReturnType<typeof auditOf>,
  problem: BodyRefusal | readonly Issue[],
): Promise<HttpResponseInit> {
  const detail = isIssues(problem) ? problem.map((i) => `${i.path}: ${i.message}`).join('; ') : `body: ${problem.message}`;
  await services.recordAudit({ ...audit, outcome: 'invalid', detail: detail.slice(0, 2_000) });
  return invalidBody(problem);
}
