import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Per-request chances (0..1) of each fault; at most one fault hits a request. */
export interface FaultRates {
  /** Answer 503 ServerBusy without forwarding. */
  busy: number;
  /** Destroy the connection without forwarding. */
  reset: number;
  /** Wait `delayMs` before forwarding. */
  delay: number;
  /** A write (PUT, POST, PATCH, MERGE, DELETE) is forwarded and committed, then the connection is destroyed before the answer. */
  ambiguousWrite: number;
}

export const NO_FAULTS: FaultRates = { busy: 0, reset: 0, delay: 0, ambiguousWrite: 0 };

export type FaultKind = keyof FaultRates;

export interface FaultProxy {
  /** http://127.0.0.1:PORT, forwarding to the target's origin. */
  readonly url: string;
  /** How many requests each fault hit, and how many were forwarded untouched. */
  counts(): Record<FaultKind | 'forwarded', number>;
  /** Changes the rates from the next request on. */
  setRates(rates: FaultRates): void;
  /** Makes the next request of one kind (a write for `ambiguousWrite`) meet that fault, whatever the rates. */
  injectNext(kind: FaultKind): void;
  close(): Promise<void>;
}

const WRITE_METHODS = new Set(['PUT', 'POST', 'PATCH', 'MERGE', 'DELETE']);

/**
 * A small HTTP proxy on loopback that forwards to one origin and injects
 * faults at the given rates: the storage faults of the fault suite
 * (Azurite's blob, queue and table endpoints each get one) and the
 * connection faults of the Defender API (resets, slow answers). The random
 * source is injected, so a test can make it deterministic.
 */
export async function startFaultProxy(options: {
  target: string;
  rates?: FaultRates;
  delayMs: number;
  random?: () => number;
}): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = options.random ?? Math.random;
  let rates = options.rates ?? NO_FAULTS;
  const forced: FaultKind[] = [];
  const counts: Record<FaultKind | 'forwarded', number> = { busy: 0, reset: 0, delay: 0, ambiguousWrite: 0, forwarded: 0 };

  const choose = (method: string): FaultKind | undefined => {
    const isWrite = WRITE_METHODS.has(method);
    const queued = forced.findIndex((k) => k !== 'ambiguousWrite' || isWrite);
    if (queued >= 0) return forced.splice(queued, 1)[0];
    let roll = random();
    for (const kind of ['busy', 'reset', 'delay', 'ambiguousWrite'] as const) {
      if (kind === 'ambiguousWrite' && !isWrite) continue;
      if (roll < rates[kind]) return kind;
      roll -= rates[kind];
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, ambiguous: boolean): void => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        if (ambiguous) {
          // The write is committed upstream; the client never learns it.
          answer.resume();
          answer.once('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => {
    const fault = choose(req.method ?? 'GET');
    counts[fault ?? 'forwarded'] += 1;
    if (fault === 'reset') {
      req.socket.destroy();
    } else if (fault === 'busy') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml', 'x-ms-error-code': 'ServerBusy' });
      res.end(
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>Injected by the fault proxy.</Message></Error>',
      );
    } else if (fault === 'delay') {
      req.pause();
      setTimeout(() => forward(req, res, false), options.delayMs);
    } else {
      forward(req, res, fault === 'ambiguousWrite');
    }
  });
  // Destroyed sockets are the point: keep their errors from reaching the process.
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    setRates: (next) => void (rates = next),
    injectNext: (kind) => void forced.push(kind),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
