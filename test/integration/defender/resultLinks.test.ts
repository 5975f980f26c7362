import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DefenderClient } from '../../../shared/defender/client.js';
import type { LinkPolicy } from '../../../shared/defender/linkPolicy.js';
import { createNodeLinkTransport, type LinkTransport, type Resolve } from '../../../shared/defender/linkTransport.js';
import { PermanentError, TransientError } from '../../../shared/errors.js';

/**
 * Result links are checked before any connection: these tests watch real
 * loopback sockets (and a transport spy, for addresses a test cannot listen on)
 * and prove that a refused link never reaches the network.
 */
const production: LinkPolicy = { hostSuffixes: ['.blob.core.windows.net'], allowHttpLoopback: false };
const simulator: LinkPolicy = { ...production, allowHttpLoopback: true };

function client(linkPolicy: LinkPolicy, linkTransport?: LinkTransport): DefenderClient {
  return new DefenderClient({
    baseUrl: 'https://api.securitycenter.microsoft.com',
    credential: { getToken: () => Promise.resolve({ token: 'secret-bearer-token', expiresOnTimestamp: Date.now() + 3_600_000 }) },
    scope: 'https://api.securitycenter.microsoft.com/.default',
    requestTimeoutMs: 5_000,
    defaultRetryAfterMs: 1_000,
    linkPolicy,
    ...(linkTransport ? { linkTransport } : {}),
  });
}

/** A listening socket that only counts connections. */
let trap: TcpServer;
let trapConnections = 0;
let trapPort = 0;
/** An HTTP server whose answer each test sets. */
let origin: Server;
let originPort = 0;
let originRequests: IncomingHttpHeaders[] = [];
let answer: (res: import('node:http').ServerResponse) => void = (res) => res.end('ok');

beforeAll(async () => {
  trap = createTcpServer((socket) => {
    trapConnections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  trapPort = (trap.address() as AddressInfo).port;
  origin = createHttpServer((req, res) => {
    originRequests.push(req.headers);
    answer(res);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originPort = (origin.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => trap.close(resolve));
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
});

describe('result links refused before any connection', () => {
  it.each([
    ['loopback when the simulator is not configured', () => `http://127.0.0.1:${trapPort}/results/x?sig=abc`],
    ['loopback by name when the simulator is not configured', () => `https://localhost:${trapPort}/results/x?sig=abc`],
    ['loopback in decimal form', () => `http://2130706433:${trapPort}/results/x`],
  ])('%s: the listening socket sees no connection', async (_name, link) => {
    const before = trapConnections;
    await expect(client(production).downloadResult(link())).rejects.toBeInstanceOf(PermanentError);
    await new Promise((r) => setTimeout(r, 50));
    expect(trapConnections).toBe(before);
  });

  it.each([
    ['plain http', 'http://userstorage.blob.core.windows.net/c/b?sig=abc'],
    ['a private address', 'https://10.1.2.3/c/b?sig=abc'],
    ['a 192.168 address', 'https://192.168.0.10/c/b'],
    ['the cloud metadata address', 'https://169.254.169.254/metadata/identity/oauth2/token'],
    ['an IPv6 unique-local address', 'https://[fd12::1]/c'],
    ['a host off the allow-list', 'https://evil.example.com/c/b?sig=abc'],
    ['credentials in the URL', 'https://u:p@userstorage.blob.core.windows.net/c'],
  ])('%s: the transport is never called', async (_name, link) => {
    const spy = vi.fn<LinkTransport>(() => Promise.reject(new Error('must not be called')));
    const attempt = client(production, spy).downloadResult(link);
    await expect(attempt).rejects.toBeInstanceOf(PermanentError);
    await expect(attempt).rejects.not.toThrow(/sig=|abc|10\.1\.2\.3\/c/);
    expect(spy).not.toHaveBeenCalled();
  });

  it.each([301, 302, 303, 307, 308])('a %i redirect is refused and its target never contacted', async (status) => {
    answer = (res) => {
      res.writeHead(status, { Location: `http://127.0.0.1:${trapPort}/stolen?sig=abc` });
      res.end();
    };
    const before = trapConnections;
    const attempt = client(simulator).downloadResult(`http://127.0.0.1:${originPort}/results/x?sig=abc`);
    await expect(attempt).rejects.toBeInstanceOf(PermanentError);
    await expect(attempt).rejects.toThrow(/redirect/);
    await new Promise((r) => setTimeout(r, 50));
    expect(trapConnections).toBe(before);
  });
});

/** A resolver answering from a table (a name's addresses, as DNS would give them), recording what it was asked. */
function fakeDns(table: Record<string, string[]>): Resolve & { asked: string[] } {
  const resolve = (hostname: string, _options: Parameters<Resolve>[1], callback: Parameters<Resolve>[2]): void => {
    resolve.asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  resolve.asked = [] as string[];
  return resolve;
}

describe('result link host names resolving to refused addresses', () => {
  it.each([
    ['a private address', ['10.0.0.5'], /resolves to a private, link-local or reserved address/],
    ['the cloud metadata address', ['169.254.169.254'], /resolves to a private, link-local or reserved address/],
    ['a public and a private address (order does not help)', ['20.60.1.1', '192.168.1.9'], /resolves to a private/],
    ['an IPv6 unique-local address', ['fd00::7'], /resolves to a private/],
    ['a loopback address, the simulator not configured', ['127.0.0.1'], /resolves to a loopback address/],
    ['something that is not an address', ['not-an-ip'], /not an IP address/],
  ])('an allowed name resolving to %s is refused for good, before any connection', async (_name, addresses, reason) => {
    const dns = fakeDns({ 'userstorage.blob.core.windows.net': addresses });
    const attempt = client(production, createNodeLinkTransport(dns)).downloadResult(
      'https://userstorage.blob.core.windows.net/c/b?sig=abc',
    );
    await expect(attempt).rejects.toBeInstanceOf(PermanentError);
    await expect(attempt).rejects.toThrow(reason);
    await expect(attempt).rejects.not.toThrow(/sig=/);
    expect(dns.asked).toEqual(['userstorage.blob.core.windows.net']);
  });

  it('a loopback name reaches the simulator when it is configured', async () => {
    answer = (res) => res.end('ok');
    const dns = fakeDns({ localhost: ['127.0.0.1'] });
    const download = await client(simulator, createNodeLinkTransport(dns)).downloadResult(`http://localhost:${originPort}/results/x`);
    download.body.resume();
    await new Promise((r) => download.body.once('end', r));
    expect(dns.asked).toEqual(['localhost']);
  });

  it('a loopback name resolving to a private address is refused even with the simulator configured', async () => {
    const before = trapConnections;
    const dns = fakeDns({ localhost: ['10.9.9.9'] });
    await expect(client(simulator, createNodeLinkTransport(dns)).downloadResult(`http://localhost:${trapPort}/results/x`)).rejects.toThrow(
      /resolves to a private/,
    );
    expect(trapConnections).toBe(before);
  });

  it('a name that does not resolve is a transient failure (DNS may recover)', async () => {
    const dns = fakeDns({});
    await expect(
      client(production, createNodeLinkTransport(dns)).downloadResult('https://gone.blob.core.windows.net/c/b'),
    ).rejects.toBeInstanceOf(TransientError);
    expect(dns.asked).toEqual(['gone.blob.core.windows.net']);
  });
});

describe('result link downloads', () => {
  it('never send the bearer token to the link host', async () => {
    answer = (res) => res.end('{"exit_code":0}');
    originRequests = [];
    const download = await client(simulator).downloadResult(`http://127.0.0.1:${originPort}/results/x`);
    download.body.resume();
    await new Promise((r) => download.body.once('end', r));
    expect(originRequests[0]?.authorization).toBeUndefined();
  });

  it('fail as transient, quoting no URL, when the body is shorter than its Content-Length', async () => {
    answer = (res) => {
      res.writeHead(200, { 'Content-Length': '100000' });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const download = await client(simulator).downloadResult(`http://127.0.0.1:${originPort}/results/x?sig=abc`);
    expect(download.contentLength).toBe(100_000);
    const error = await new Promise<Error>((resolve) => {
      download.body.on('error', resolve);
      download.body.resume();
    });
    expect(error).toBeInstanceOf(TransientError);
    expect(String(error) + String((error as { cause?: unknown }).cause)).not.toMatch(/127\.0\.0\.1|sig=/);
  });

  it('fail as transient when a chunked body is cut off mid-way', async () => {
    answer = (res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write(Buffer.alloc(64 * 1024));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const download = await client(simulator).downloadResult(`http://127.0.0.1:${originPort}/results/x`);
    const error = await new Promise<Error>((resolve) => {
      download.body.on('error', resolve);
      download.body.resume();
    });
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toMatch(/broke after \d+ bytes/);
  });

  it('answer an expired link (403) with a transient error, so a fresh link is tried', async () => {
    answer = (res) => {
      res.writeHead(403, { 'x-ms-error-code': 'AuthenticationFailed' });
      res.end('<Error><Code>AuthenticationFailed</Code></Error>');
    };
    await expect(client(simulator).downloadResult(`http://127.0.0.1:${originPort}/results/x`)).rejects.toThrow(TransientError);
  });
});
