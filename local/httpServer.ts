import type { HttpResponseInit, HttpRequest as HttpRequestType, InvocationContext as InvocationContextType } from '@azure/functions';
import { HttpRequest, InvocationContext } from './functionsRuntime.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type HttpTrigger = (request: HttpRequestType, context: InvocationContextType) => Promise<HttpResponseInit>;

export interface LocalRoute {
  methods: readonly ('GET' | 'POST')[];
  /** e.g. /api/runs/{id} */
  pattern: string;
  name: string;
  handler: HttpTrigger;
}

/**
 * Serves the Function App's HTTP triggers on loopback, the way the Functions
 * host would: the request becomes an @azure/functions HttpRequest, the
 * handler's HttpResponseInit becomes the response.
 */
export async function serveHttpTriggers(routes: LocalRoute[], port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    handle(routes, req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalServerError', message: error instanceof Error ? error.message : String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: chosen } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${chosen}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function handle(routes: LocalRoute[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  for (const route of routes) {
    const params = matchRoute(route.pattern, url.pathname);
    if (!params || !route.methods.some((m) => m === req.method)) continue;
    const chunks = await readUpTo(req, HOST_MAX_BODY_BYTES);
    if (!chunks) {
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(
        JSON.stringify({ error: { code: 'RequestBodyTooLarge', message: `body exceeds the local host's ${HOST_MAX_BODY_BYTES} bytes` } }),
      );
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const request = new HttpRequest({
      method: req.method ?? 'GET',
      url: url.toString(),
      headers,
      params,
      query: Object.fromEntries(url.searchParams),
      body: chunks.length > 0 ? { string: Buffer.concat(chunks).toString('utf8') } : undefined,
    });
    const response = await route.handler(request, new InvocationContext({ functionName: route.name }));
    const body =
      response.jsonBody !== undefined ? JSON.stringify(response.jsonBody, null, 2) : typeof response.body === 'string' ? response.body : '';
    const outHeaders: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    for (const [k, v] of Object.entries(response.headers ?? {})) if (typeof v === 'string') outHeaders[k.toLowerCase()] = v;
    res.writeHead(response.status ?? 200, outHeaders);
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'NotFound', message: `no route for ${req.method ?? ''} ${url.pathname}` } }));
}

/** The local host's own cap on a request body (each route reads at most functions/lib/http.ts's far smaller one). */
const HOST_MAX_BODY_BYTES = 1024 * 1024;

/** The request's body in chunks, or undefined as soon as it passes `cap` (the rest is not read). */
async function readUpTo(req: IncomingMessage, cap: number): Promise<Buffer[] | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).byteLength;
    if (total > cap) return undefined;
    chunks.push(chunk as Buffer);
  }
  return chunks;
}

/**
 * The route parameters of `path` under `pattern`, or undefined when it does
 * not match. A last segment `{*name}` takes the rest of the path, slashes and
 * all, or nothing (`/api/console` and `/api/console/` both give ''), as the
 * Functions host's catch-all does.
 */
function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  const catchAll = /^\{\*(\w+)\}$/.exec(want.at(-1) ?? '')?.[1];
  const fixed = catchAll === undefined ? want : want.slice(0, -1);
  if (catchAll === undefined ? want.length !== got.length : got.length < fixed.length) return undefined;
  const params: Record<string, string> = {};
  try {
    for (const [i, part] of fixed.entries()) {
      const value = got[i] ?? '';
      if (part.startsWith('{') && part.endsWith('}')) params[part.slice(1, -1)] = decodeURIComponent(value);
      else if (part !== value) return undefined;
    }
    if (catchAll !== undefined) params[catchAll] = decodeURIComponent(got.slice(fixed.length).join('/'));
  } catch {
    return undefined; // a malformed escape (%zz) names no route
  }
  return params;
}
