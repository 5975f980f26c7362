/** One part of a multipart/form-data body. */
export interface FormPart {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly data: Buffer;
}

export type MultipartResult = { ok: true; parts: FormPart[] } | { ok: false; error: string };

function boundaryOf(contentType: string): string | undefined {
  if (!/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

function dispositionParam(header: string, name: string): string | undefined {
  const m =
    new RegExp(`(?:^|;)\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header) ??
    new RegExp(`(?:^|;)\\s*${name}=([^;]+)`, 'i').exec(header);
  return m?.[1]?.trim().replace(/\\(.)/g, '$1');
}

/** Parses a multipart/form-data body (RFC 7578), held in memory (uploads are size-limited first). */
export function parseMultipart(body: Buffer, contentType: string): MultipartResult {
  const boundary = boundaryOf(contentType);
  if (!boundary) return { ok: false, error: 'Content-Type must be multipart/form-data with a boundary.' };
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) return { ok: false, error: 'The multipart body has no boundary line.' };
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') return { ok: true, parts };
    if (body.subarray(at, at + 2).toString() === '\r\n') at += 2;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) return { ok: false, error: 'A multipart part has no header terminator.' };
    const headers = new Map<string, string>();
    for (const line of body.subarray(at, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next < 0) return { ok: false, error: 'The multipart body is not terminated by its boundary.' };
    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    if (!name) return { ok: false, error: 'A multipart part has no Content-Disposition name.' };
    const filename = dispositionParam(disposition, 'filename');
    const type = headers.get('content-type');
    parts.push({
      name,
      ...(filename === undefined ? {} : { filename }),
      ...(type === undefined ? {} : { contentType: type }),
      data: body.subarray(headerEnd + 4, next),
    });
    at = next + 2;
  }
}
