import { Readable } from 'node:stream';
import { nodeLinkTransport, type LinkTransport, type LinkTransportOptions } from '../../shared/defender/linkTransport.js';
import { createLogger, type Logger } from '../../shared/log.js';

/**
 * A transport fault on one result-link download, for tests against the real
 * simulator: the real response, cut short after `afterBytes`, either by a
 * connection reset (`'reset'`) or by a clean end that leaves the body short
 * of its length (`'end'`). `atCut` runs at the moment of the cut (e.g. a
 * clock jump past the link's expiry), `beforeRequest` before the request.
 */
export interface DownloadFault {
  afterBytes?: number;
  mode?: 'reset' | 'end';
  atCut?: () => void;
  beforeRequest?: () => void;
}

/** The production link transport, applying one queued fault to each download, then behaving normally. */
export function faultyTransport(faults: DownloadFault[]): LinkTransport & { urls: string[] } {
  const wrapped = async (url: URL, options: LinkTransportOptions) => {
    wrapped.urls.push(url.href);
    const fault = faults.shift();
    fault?.beforeRequest?.();
    const response = await nodeLinkTransport(url, options);
    if (fault?.afterBytes === undefined) return response;
    return {
      status: response.status,
      header: (name: string) => response.header(name),
      body: cut(response.body, fault.afterBytes, fault.mode ?? 'reset', fault.atCut),
    };
  };
  wrapped.urls = [] as string[];
  return wrapped;
}

function cut(body: Readable, afterBytes: number, mode: 'reset' | 'end', atCut?: () => void): Readable {
  let seen = 0;
  let done = false;
  const out = new Readable({ read: () => void body.resume() });
  body.on('data', (chunk: Buffer) => {
    if (done) return;
    if (seen + chunk.length < afterBytes) {
      seen += chunk.length;
      if (!out.push(chunk)) body.pause();
      return;
    }
    done = true;
    out.push(chunk.subarray(0, afterBytes - seen));
    atCut?.();
    body.destroy();
    if (mode === 'end') out.push(null);
    else out.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
  });
  body.on('end', () => {
    if (!done) out.push(null);
  });
  body.on('error', (error) => out.destroy(error));
  return out;
}

/** A logger that keeps every record as a JSON line, to check what reached the logs. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger((level, record) => lines.push(JSON.stringify({ level, ...record }))), lines };
}
