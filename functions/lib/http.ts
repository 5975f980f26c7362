import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { AuditedAction } from '../../shared/audit/auditLog.js';
import { fail, ok, type Issue, type Result } from '../../shared/result.js';
import type { AuditRecord, Caller } from '../../shared/services/audit/record.js';
import type { Services } from '../../shared/services/index.js';
import { errorResponse } from './routeContract.js';

const MAX_BODY_BYTES = 64 * 1024;

/** Reads a JSON body with a size cap; the error says what is wrong. */
export async function readJson(request: HttpRequest): Promise<Result<unknown, string>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) return fail('Content-Type must be application/json');
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return fail(`body exceeds ${MAX_BODY_BYTES} bytes`);
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return fail('body is not valid JSON');
  }
}

/** 400 for a request body that cannot be read (a string) or fails validation (issues naming each field). */
export function invalidBody(problem: string | readonly Issue[]): HttpResponseInit {
  return typeof problem === 'string'
    ? errorResponse(400, 'InvalidRequestBody', problem)
    : errorResponse(400, 'InvalidRequestBody', 'the request body is invalid', { details: problem });
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

/** What an audited route records about its caller, for services.recordAudit. */
export function auditOf(action: AuditedAction, caller: Caller): Pick<AuditRecord, 'action' | 'principal' | 'requestId' | 'sourceAddress'> {
  return { action, principal: caller.principal, requestId: caller.requestId, sourceAddress: caller.sourceAddress };
}

/** A 400 for an invalid request to an audited route, recorded as an `invalid` attempt first. */
export async function refuseInvalid(
  services: Services,
  audit: ReturnType<typeof auditOf>,
  problem: string | readonly Issue[],
): Promise<HttpResponseInit> {
  const detail = typeof problem === 'string' ? problem : problem.map((i) => `${i.path}: ${i.message}`).join('; ');
  await services.recordAudit({ ...audit, outcome: 'invalid', detail: detail.slice(0, 2_000) });
  return invalidBody(problem);
}
