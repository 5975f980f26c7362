import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  body: string;
  headers: IncomingHttpHeaders;
  status: number;
}

/** An HTTP receiver on loopback, on a port chosen at run time, answering each POST with the next status of a script. */
export interface LoopbackReceiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** `statuses` are answered in order; the last one repeats. */
export async function startLoopbackReceiver(statuses: number[]): Promise<LoopbackReceiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses[Math.min(received.length, statuses.length - 1)] ?? 200;
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
