import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { Issue } from '../../shared/result.js';

/**
 * What a route takes and answers, written with the zod schemas its handler
 * validates with (and its answers are checked against in the contract
 * test). functions/lib/openApi.ts turns every route's contract into the
 * OpenAPI document; sign-in refusals (401, 403) are added for every
 * signed-in route.
 */
export interface RouteContract {
  summary: string;
  /** Query parameters, as the handler validates them (each property one parameter). */
  query?: z.ZodObject;
  /** The JSON request body. */
  body?: z.ZodType;
  /** Every status the route answers, each with its body's schema (and its media types when not JSON). */
  responses: Readonly<Record<number, { description: string; schema: z.ZodType; mediaTypes?: readonly string[] }>>;
}

/** The one error envelope every route answers a refusal with. */
export const errorEnvelopeSchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    /** Each invalid field, where there are several. */
    details: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** An answer in the error envelope. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  options: { details?: readonly Issue[]; headers?: Record<string, string> } = {},
): HttpResponseInit {
  const error: ErrorEnvelope['error'] = { code, message, ...(options.details ? { details: [...options.details] } : {}) };
  return { status, ...(options.headers ? { headers: options.headers } : {}), jsonBody: { error } };
}

/** A documented error answer. */
export const errorAnswer = (description: string) => ({ description, schema: errorEnvelopeSchema });

/** The answer of every route that reads a body, to one past its cap (functions/lib/http.ts). */
export const bodyTooLargeAnswer = errorAnswer('the body is larger than the route accepts (64 KiB), refused before it is read whole');
