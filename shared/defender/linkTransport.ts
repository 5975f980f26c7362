import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { PermanentError } from '../errors.js';
import { refusedResolvedAddress } from './linkPolicy.js';

/** One GET of a result link: status, headers, and the body as a Node stream. */
export interface LinkResponse {
  status: number;
  header: (name: string) => string | undefined;
  body: Readable;
}

export interface LinkTransportOptions {
  idleTimeoutMs: number;
  /** The host may resolve to a loopback address (the local simulator). Private and reserved addresses are refused always. */
  allowLoopback: boolean;
}

/**
 * How result links are fetched. The default is Node's own http/https client:
 * it never follows a redirect, sends no credentials, and gives a Node stream
 * with back-pressure directly (for multi-GB results it costs about a quarter
 * less CPU than fetch, whose web streams must be converted). Every address
 * the link's host name resolves to is checked before connecting (a
 * PermanentError, and no connection, for a private, reserved or unexpected
 * loopback address). Tests wrap it to inject transport faults.
 */
export type LinkTransport = (url: URL, options: LinkTransportOptions) => Promise<LinkResponse>;

/** A name resolver with dns.lookup's all-addresses form, given Node's family and hints (injectable for tests). */
export type Resolve = (
  hostname: string,
  options: { family?: LookupOptions['family']; hints?: number },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolve: Resolve = (hostname, options, callback) =>
  dnsLookup(
    hostname,
    { family: options.family ?? 0, ...(options.hints === undefined ? {} : { hints: options.hints }), all: true, verbatim: true },
    callback,
  );

/** The production transport, resolving names with `resolve` (default: the system resolver, as Node's own client would). */
export function createNodeLinkTransport(resolve: Resolve = systemResolve): LinkTransport {
  return (url, options) =>
    new Promise((resolvePromise, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      // agent: false, a connection of its own: a pooled socket another request opened would skip the address check.
      const req = send(
        url,
        { method: 'GET', headers: { Accept: '*/*' }, agent: false, lookup: guardedLookup(resolve, options.allowLoopback) },
        (res: IncomingMessage) => {
          resolvePromise({ status: res.statusCode ?? 0, header: (name) => headerValue(res, name), body: res });
        },
      );
      // No byte for this long (connecting, waiting for headers, or mid-body): give up; the caller retries.
      req.setTimeout(options.idleTimeoutMs, () =>
        req.destroy(Object.assign(new Error('no data within the idle timeout'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', reject);
      req.end();
    });
}

export const nodeLinkTransport: LinkTransport = createNodeLinkTransport();

/**
 * A `lookup` for Node's client that resolves every address of the name and
 * refuses them all if any one is refused (an attacker controlling a record
 * must not win by ordering). IP literals never reach a lookup: the link
 * policy has checked them already.
 */
function guardedLookup(resolve: Resolve, allowLoopback: boolean): LookupFunction {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    resolve(hostname, { family: options.family, hints: options.hints }, (error, addresses) => {
      if (error) return callback(error, '');
      const refusal = addresses.map((a) => refusedResolvedAddress(a.address, allowLoopback)).find((reason) => reason !== undefined);
      if (refusal) return callback(Object.assign(new PermanentError(refusal), { code: 'EADDRREFUSED' }), '');
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error('the host name has no address'), { code: 'ENOTFOUND' }), '');
      if (options.all) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}

function headerValue(res: IncomingMessage, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
