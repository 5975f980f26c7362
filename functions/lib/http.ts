import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { fail, ok, type Issue, type Result } from '../../shared/result.js';

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

/** The caller's identity for the chain of custody (App Service authentication header when present). */
export function callerOf(request: HttpRequest): string {
  return request.headers.get('x-ms-client-principal-name') ?? request.headers.get('x-ms-client-principal-id') ?? 'anonymous (function key)';
}

/** 400 for a request body that cannot be read (a string) or fails validation (issues naming each field). */
export function invalidBody(problem: string | readonly Issue[]): HttpResponseInit {
  const error =
    typeof problem === 'string'
      ? { code: 'InvalidRequestBody', message: problem }
      : { code: 'InvalidRequestBody', message: 'the request body is invalid', details: problem };
  return { status: 400, jsonBody: { error } };
}
