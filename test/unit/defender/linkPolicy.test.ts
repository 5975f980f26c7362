import { describe, expect, it } from 'vitest';
import { checkResultLink } from '../../../shared/defender/linkPolicy.js';
import { retryAfterMs } from '../../../shared/defender/httpErrors.js';
import { redact, redactText } from '../../../shared/log.js';

const production = { hostSuffixes: ['.blob.core.windows.net'], allowHttpLoopback: false };

describe('result link policy', () => {
  it('accepts an https link on an allowed host', () => {
    expect(checkResultLink('https://userstorage.blob.core.windows.net/c/b?sig=x', production).hostname).toBe('userstorage.blob.core.windows.net');
  });

  it.each([
    ['plain http', 'http://userstorage.blob.core.windows.net/c/b'],
    ['a host off the allow-list', 'https://evil.example.com/c/b'],
    ['a look-alike host', 'https://blob.core.windows.net.evil.example.com/x'],
    ['loopback when the simulator is not configured', 'http://127.0.0.1:8080/x'],
    ['user credentials in the URL', 'https://u:p@userstorage.blob.core.windows.net/c'],
    ['a non-URL', 'not a url'],
  ])('refuses %s without quoting the link', (_name, link) => {
    expect(() => checkResultLink(link, production)).toThrow(/^result link refused/);
    try { checkResultLink(link, production); } catch (error) { expect(String(error)).not.toContain('sig='); }
  });

  it('accepts loopback http only when the simulator is configured', () => {
    expect(checkResultLink('http://127.0.0.1:8080/results/x', { ...production, allowHttpLoopback: true }).port).toBe('8080');
  });
});

describe('Retry-After', () => {
  it.each([
    ['7', 7000], ['0', 0], [null, 60_000], ['soon', 60_000],
  ])('reads %s as %i ms', (header, expected) => {
    expect(retryAfterMs(header, 60_000)).toBe(expected);
  });
});

describe('log redaction', () => {
  it('never lets a token or a link through', () => {
    expect(redact({ token: 'eyJ', downloadUrl: 'https://x/y?sig=1', runId: 'a-1', machineActionId: 'm' })).toEqual({ token: '[redacted]', downloadUrl: '[redacted]', runId: 'a-1', machineActionId: 'm' });
    expect(redactText('GET https://acct.blob.core.windows.net/c?sig=abc failed; Bearer eyJ.abc.def')).toBe('GET [url redacted] failed; Bearer [redacted]');
  });
});
