import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, readJson } from '../../../functions/lib/http.js';

/** A request whose body arrives in `chunks` chunks of `size` bytes, counting how many bytes were pulled from it. */
function streamed(chunks: number, size: number, headers: Record<string, string> = {}) {
  const pulled = { bytes: 0 };
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent === chunks) return controller.close();
        sent += 1;
        pulled.bytes += size;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request('http://localhost/api/runs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  });
  return { request, pulled };
}

describe('a route reading a JSON body', () => {
  it('refuses a body whose Content-Length passes the cap with a 413, without reading any of it', async () => {
    const { request, pulled } = streamed(100, 16 * 1024, { 'content-length': String(100 * 16 * 1024) });
    const read = await readJson(request);
    expect(read).toEqual({ ok: false, errors: { status: 413, message: `body exceeds ${MAX_BODY_BYTES} bytes` } });
    expect(pulled.bytes).toBe(0);
  });

  it('stops reading a body sent without a length as soon as it passes the cap', async () => {
    const { request, pulled } = streamed(1_000, 16 * 1024);
    const read = await readJson(request);
    expect(read.ok ? undefined : read.errors.status).toBe(413);
    expect(pulled.bytes).toBeLessThan(MAX_BODY_BYTES + 3 * 16 * 1024);
  });

  it('reads a body within the cap', async () => {
    const request = new Request('http://localhost/api/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'é'.repeat(100) }),
    });
    expect(await readJson(request)).toEqual({ ok: true, value: { reason: 'é'.repeat(100) } });
  });

  it('names the content type and invalid JSON in 400s', async () => {
    const plain = new Request('http://localhost/api/runs', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    const broken = new Request('http://localhost/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(await readJson(plain)).toEqual({ ok: false, errors: { status: 400, message: 'Content-Type must be application/json' } });
    expect(await readJson(broken)).toEqual({ ok: false, errors: { status: 400, message: 'body is not valid JSON (UTF-8)' } });
  });
});
