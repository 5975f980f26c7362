import { describe, expect, it } from 'vitest';
import { redactError, redactFields, redactText } from '../../shared/redaction.js';

const SAS_LINK =
  'https://userstorage.blob.core.windows.net/files/out.zip?sv=2022-11-02&st=2026-12-04T10%3A00%3A00Z&se=2026-12-04T10%3A30%3A00Z&sr=b&sp=rt&sig=AbCdEf%2B123%3D';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJhcHBpZCI6IjEyMyJ9.c2lnbmF0dXJl';

describe('the redactor', () => {
  it.each([
    ['a result link', `download failed: ${SAS_LINK}`],
    [
      'a Service Bus connection string',
      'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0a2V5MTIz=',
    ],
    [
      'a storage connection string',
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0a2V5MTIz==;EndpointSuffix=core.windows.net',
    ],
    ['a bare SAS signature', 'query was sv=2022-11-02&sig=AbCdEf%2B123%3D&sp=r'],
    ['a SharedAccessSignature', 'SharedAccessSignature=sr=x&sig=c2VjcmV0a2V5MTIz&se=1'],
    ['a bearer token', 'Authorization: Bearer abc.def.ghi'],
    ['a bare token', `token ${JWT} expired`],
    ['an amqps endpoint', 'connect to amqps://ns.servicebus.windows.net:5671/?key=c2VjcmV0a2V5MTIz failed'],
  ])('hides %s', (_name, text) => {
    const out = redactText(text);
    expect(out).not.toMatch(/c2VjcmV0a2V5MTIz|AbCdEf|abc\.def\.ghi|eyJ|https:|sb:|amqps:/);
  });

  it('keeps text without secrets as it is', () => {
    const text = 'device 1e5bc9d7e413ddd7902c2932e418702b84d0cc07 action 5e1c2f0a-9d3b: 429 TooManyRequests, retry in 12 s';
    expect(redactText(text)).toBe(text);
  });

  it('hides secret-named fields whatever they hold and keeps ids and names', () => {
    expect(redactFields({ connectionString: 'x', downloadLink: 'y', runId: 'r', blobName: 'b', count: 3 })).toEqual({
      connectionString: '[redacted]',
      downloadLink: '[redacted]',
      runId: 'r',
      blobName: 'b',
      count: 3,
    });
  });

  it('gives the host an error whose message and stack carry no secret', () => {
    const original = new TypeError(`fetch ${SAS_LINK} failed`);
    const safe = redactError(original);
    expect(safe.name).toBe('TypeError');
    expect(safe.message).toBe('fetch [url redacted] failed');
    expect(safe.stack ?? '').not.toContain('sig=');
    expect(redactError(`Bearer ${JWT}`).message).not.toContain('eyJ');
  });
});
