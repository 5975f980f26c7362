import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.js';

/** Sent on every response: this server is a simulator, never Microsoft Defender. */
export const SIMULATOR_HEADER = 'x-simulator';
export const SIMULATOR_HEADER_VALUE = 'mde-live-response-simulator (not Microsoft Defender)';
export const ODATA_JSON = 'application/json; odata.metadata=minimal; charset=utf-8';
export const ERROR_JSON = 'application/json; charset=utf-8';

/** A handler's answer: JSON (or no body when `json` is undefined, e.g. 204). */
export interface Reply {
  readonly status: number;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function send(res: ServerResponse, status: number, body: string | Buffer, headers: Readonly<Record<string, string>>): void {
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'Content-Length': String(data.length), [SIMULATOR_HEADER]: SIMULATOR_HEADER_VALUE });
  res.end(data);
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (reply.json === undefined) {
    send(res, reply.status, '', reply.headers ?? {});
    return;
  }
  send(res, reply.status, JSON.stringify(reply.json), { 'Content-Type': ODATA_JSON, 'OData-Version': '4.0', ...reply.headers });
}

export function sendError(res: ServerResponse, error: ApiError, target: string): void {
  const body = { error: { code: error.code, message: error.message, target } };
  send(res, error.status, JSON.stringify(body), { 'Content-Type': ERROR_JSON, ...error.headers });
}

/**
 * Reads a request body, keeping at most `maxBytes` (the rest is read and
 * dropped so the connection stays usable). `tooLarge` tells if any was dropped.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<{ data: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size + chunk.length > maxBytes) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
    size += chunk.length;
  }
  return { data: Buffer.concat(chunks), tooLarge };
}

/** Reads a JSON body: requires `Content-Type: application/json` (documented as required) and valid JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  const { data, tooLarge } = await readBody(req, 1024 * 1024);
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(
      400,
      'InvalidRequestBody',
      `Request body is incorrect: Content-Type must be application/json (got '${type || 'none'}').`,
    );
  }
  if (tooLarge) throw new ApiError(400, 'InvalidRequestBody', 'Request body is incorrect: larger than 1 MiB.');
  try {
    return JSON.parse(data.toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, 'InvalidRequestBody', 'Request body is incorrect');
  }
}
