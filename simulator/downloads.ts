import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { CommandResult } from './actionModel.js';
import { openSource, sizeOf } from './content.js';
import { baseName } from './deviceFiles.js';
import { send, SIMULATOR_HEADER, SIMULATOR_HEADER_VALUE } from './http.js';
import type { IdSource } from './ids.js';
import type { SimulatorState } from './state.js';
import type { ValueFormats } from './strictness.js';

/**
 * Result links, shaped like Azure Blob SAS URLs (mde-api.md 4). They need no
 * bearer token, expire `downloadLinkTtlMs` after minting (then 403
 * AuthenticationFailed, XML, like Azure Storage), and every call mints a new
 * one. The simulator form is `${url}/results/<blob>?sv&sr=b&sp=r&se&sig`;
 * the defender form (README choice 30) has the parameters of a user
 * delegation SAS: `sv, st, se, skoid, sktid, skt, ske, sks, skv, sr=b,
 * sp=rt, rscd=attachment; filename=<name>, sig`, times to the second, every
 * one of them signed, and the download answers with `rscd` as its
 * Content-Disposition, as Azure Storage does.
 */
export class ResultLinks {
  private readonly blobs = new Map<string, { actionId: string; index: number }>();
  /** The signing key's identity (skoid, sktid) in the defender form. */
  private readonly signer: { readonly objectId: string; readonly tenantId: string } | undefined;

  constructor(
    private readonly key: Buffer,
    ids: IdSource,
    private readonly formats: ValueFormats,
  ) {
    this.signer = formats === 'defender' ? { objectId: ids.guid('sas-signer'), tenantId: ids.guid('sas-signer') } : undefined;
  }

  private sign(blob: string, signed: string): string {
    return createHmac('sha256', this.key).update(`${blob}\n${signed}`).digest('base64url');
  }

  mint(baseUrl: string, target: { actionId: string; index: number; fileName: string }, nowMs: number, ttlMs: number): string {
    const { actionId, index } = target;
    const blob = createHmac('sha256', this.key).update(`blob:${actionId}:${index}`).digest('hex').slice(0, 32);
    this.blobs.set(blob, { actionId, index });
    if (!this.signer) {
      const se = new Date(nowMs + ttlMs).toISOString();
      const query = new URLSearchParams({ sv: '2020-08-04', sr: 'b', sp: 'r', se, sig: this.sign(blob, `${se}\nr`) });
      return `${baseUrl}/results/${blob}?${query.toString()}`;
    }
    const st = isoSeconds(nowMs - SAS_START_SKEW_MS);
    const se = isoSeconds(nowMs + ttlMs);
    const params: [string, string][] = [
      ['sv', SAS_VERSION],
      ['st', st],
      ['se', se],
      ['skoid', this.signer.objectId],
      ['sktid', this.signer.tenantId],
      ['skt', st],
      ['ske', se],
      ['sks', 'b'],
      ['skv', SAS_VERSION],
      ['sr', 'b'],
      ['sp', 'rt'],
      ['rscd', `attachment; filename=${target.fileName}`],
    ];
    const sig = this.sign(blob, signedString(new Map(params)));
    const query = [...params, ['sig', sig]].map(([k, v]) => `${k}=${encodeURIComponent(v ?? '')}`).join('&');
    return `${baseUrl}/results/${blob}?${query}`;
  }

  /** Checks a link; returns the command it names (and the Content-Disposition it asks for) or the Azure-Storage-style refusal. */
  resolve(
    url: URL,
    nowMs: number,
  ):
    | { ok: true; actionId: string; index: number; contentDisposition?: string }
    | { ok: false; status: number; code: string; message: string } {
    const blob = url.pathname.slice('/results/'.length);
    const target = this.blobs.get(blob);
    if (!target) return { ok: false, status: 404, code: 'BlobNotFound', message: 'The specified blob does not exist.' };
    const q = url.searchParams;
    const se = q.get('se') ?? '';
    const sp = q.get('sp') ?? '';
    const signed = this.signer ? signedString(new Map(SIGNED_PARAMS.map((k) => [k, q.get(k) ?? '']))) : `${se}\n${sp}`;
    const sig = Buffer.from(q.get('sig') ?? '');
    const expected = Buffer.from(this.sign(blob, signed));
    if (sp !== (this.signer ? 'rt' : 'r') || sig.length !== expected.length || !timingSafeEqual(sig, expected)) {
      return {
        ok: false,
        status: 403,
        code: 'AuthenticationFailed',
        message:
          'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
      };
    }
    const startMs = this.signer ? Date.parse(q.get('st') ?? '') : -Infinity;
    const expiryMs = Date.parse(se);
    if (!(startMs <= nowMs && nowMs < expiryMs)) {
      return {
        ok: false,
        status: 403,
        code: 'AuthenticationFailed',
        message: `Server failed to authenticate the request. Signature not valid in the specified time frame: ${this.signer ? `Start [${q.get('st') ?? ''}] - ` : ''}Expiry [${se}] - Current [${new Date(nowMs).toISOString()}]`,
      };
    }
    const rscd = this.signer ? (q.get('rscd') ?? undefined) : undefined;
    return { ok: true, ...target, ...(rscd === undefined ? {} : { contentDisposition: rscd }) };
  }
}

const SAS_VERSION = '2020-08-04';
/** A SAS starts a little before it is minted, as Azure tools set `st` to allow for clock skew. */
const SAS_START_SKEW_MS = 5 * 60_000;
const SIGNED_PARAMS = ['sv', 'st', 'se', 'skoid', 'sktid', 'skt', 'ske', 'sks', 'skv', 'sr', 'sp', 'rscd'] as const;

const signedString = (params: ReadonlyMap<string, string>): string => SIGNED_PARAMS.map((k) => params.get(k) ?? '').join('\n');

/** ISO-8601 UTC to the second, as SAS times are written. */
const isoSeconds = (ms: number): string => `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;

/** The file name a result is downloaded as: the transcript's, or the collected file's with `.gz`. */
export const resultFileName = (result: CommandResult): string =>
  result.kind === 'transcript' ? result.fileName : `${baseName(result.path)}.gz`;

function storageError(res: ServerResponse, status: number, code: string, message: string): void {
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  send(res, status, xml, { 'Content-Type': 'application/xml', 'x-ms-error-code': code });
}

/** Streams a result: a RunScript transcript (JSON) or a GetFile result (one gzip stream of the original bytes, never buffered). */
async function streamResult(
  res: ServerResponse,
  result: CommandResult,
  state: SimulatorState,
  contentDisposition: string | undefined,
): Promise<void> {
  if (result.kind === 'transcript') {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'x-ms-blob-type': 'BlockBlob' };
    if (contentDisposition !== undefined) headers['Content-Disposition'] = contentDisposition;
    send(res, 200, result.body, headers);
    state.stats.bytesServed += result.body.length;
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': contentDisposition ?? `attachment; filename="${baseName(result.path).replace(/"/g, '')}.gz"`,
    'x-ms-blob-type': 'BlockBlob',
    [SIMULATOR_HEADER]: SIMULATOR_HEADER_VALUE,
  });
  // Generated bytes are random and never compress: store them (gzip level 0, ~7x faster, still one gzip stream).
  const level = result.source.kind === 'generated' ? 0 : state.settings.gzipLevel;
  // Large gzip chunks and no Nagle delay: with 16 KiB chunks a client that gunzips as it reads
  // (back-pressure) made a 256 MiB download take minutes instead of about a second.
  res.socket?.setNoDelay(true);
  await pipeline(openSource(result.source), createGzip({ level, chunkSize: 256 * 1024 }), res);
  state.stats.bytesServed += sizeOf(result.source);
}

/** GET /results/<blob>?<sas> — no bearer token needed. */
export async function serveResultLink(
  res: ServerResponse,
  url: URL,
  method: string,
  state: SimulatorState,
  links: ResultLinks,
): Promise<void> {
  state.stats.call('downloadResult');
  if (method !== 'GET') {
    storageError(res, 405, 'UnsupportedHttpVerb', "The resource doesn't support specified Http Verb.");
    return;
  }
  const nowMs = state.sync();
  const link = links.resolve(url, nowMs);
  const result = link.ok ? state.actions.get(link.actionId)?.commands[link.index]?.result : undefined;
  if (!link.ok || !result) {
    state.stats.downloadsRefused += 1;
    if (link.ok) storageError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
    else storageError(res, link.status, link.code, link.message);
    return;
  }
  state.stats.downloadsServed += 1;
  try {
    await streamResult(res, result, state, link.contentDisposition);
  } catch {
    res.destroy();
  }
}
