import { describe, expect, it } from 'vitest';
import { checkResultLink, refusedResolvedAddress } from '../../../shared/defender/linkPolicy.js';
import { retryAfterMs } from '../../../shared/defender/httpErrors.js';
import { redactFields as redact, redactText } from '../../../shared/redaction.js';

const production = { hostSuffixes: ['.blob.core.windows.net'], allowHttpLoopback: false };

describe('result link policy', () => {
  it('accepts an https link on an allowed host', () => {
    expect(checkResultLink('https://userstorage.blob.core.windows.net/c/b?sig=x', production).hostname).toBe(
      'userstorage.blob.core.windows.net',
    );
  });

  it.each([
    ['plain http', 'http://userstorage.blob.core.windows.net/c/b'],
    ['a host off the allow-list', 'https://evil.example.com/c/b'],
    ['a look-alike host', 'https://blob.core.windows.net.evil.example.com/x'],
    ['loopback when the simulator is not configured', 'http://127.0.0.1:8080/x'],
    ['user credentials in the URL', 'https://u:p@userstorage.blob.core.windows.net/c'],
    ['a non-URL', 'not a url'],
    ['loopback in decimal form', 'https://2130706433/x'],
    ['loopback in hex form', 'https://0x7f.1/x'],
    ['IPv6 loopback', 'https://[::1]/x'],
    ['localhost by name', 'https://localhost/x'],
    ['a 10/8 address', 'https://10.0.0.5/x'],
    ['a 172.16/12 address', 'https://172.20.1.1/x'],
    ['a 192.168/16 address', 'https://192.168.1.10/x'],
    ['the cloud metadata address', 'https://169.254.169.254/metadata/identity'],
    ['a CGNAT address', 'https://100.64.0.1/x'],
    ['the unspecified address', 'https://0.0.0.0/x'],
    ['an IPv6 unique-local address', 'https://[fd00::1]/x'],
    ['an IPv6 link-local address', 'https://[fe80::1]/x'],
    ['IPv4-mapped loopback in IPv6', 'https://[::ffff:127.0.0.1]/x'],
    ['a public IP literal', 'https://20.60.1.1/x'],
    ['a non-default port', 'https://userstorage.blob.core.windows.net:8443/c/b'],
    ['a trailing-dot host', 'https://userstorage.blob.core.windows.net./c/b'],
    ['a file URL', 'file:///etc/passwd'],
  ])('refuses %s without quoting the link', (_name, link) => {
    expect(() => checkResultLink(link, production)).toThrow(/^result link refused/);
    try {
      checkResultLink(link, production);
    } catch (error) {
      expect(String(error)).not.toContain('sig=');
    }
  });

  it('accepts a public IP literal on the allow-list host rules like any host (only internal ranges are refused)', () => {
    expect(() => checkResultLink('https://20.60.1.1/c/b', production)).toThrow(/not on the allow-list/);
    expect(checkResultLink('https://20.60.1.1/c/b', { ...production, hostSuffixes: ['20.60.1.1'] }).hostname).toBe('20.60.1.1');
  });

  it('accepts loopback http only when the simulator is configured', () => {
    expect(checkResultLink('http://127.0.0.1:8080/results/x', { ...production, allowHttpLoopback: true }).port).toBe('8080');
  });

  it.each([
    ['a private address', 'http://10.0.0.5/x'],
    ['the cloud metadata address', 'http://169.254.169.254/x'],
    ['an IPv6 unique-local address', 'http://[fd00::1]/x'],
  ])('refuses %s even when the simulator is configured', (_name, link) => {
    expect(() => checkResultLink(link, { ...production, allowHttpLoopback: true })).toThrow(/private, link-local or reserved/);
  });
});

describe('addresses a result link host resolves to', () => {
  it.each([
    ['20.60.1.1', false, 'allowed'],
    ['2603:1030::1', false, 'allowed'],
    ['127.0.0.1', true, 'allowed'],
    ['::1', true, 'allowed'],
    ['2001:0:4136:e378::1', false, 'private'],
    ['2001:db8::1', false, 'private'],
    ['64:ff9b:1::a00:1', false, 'private'],
    ['fec0::1', false, 'private'],
    ['127.0.0.1', false, 'loopback'],
    ['::1', false, 'loopback'],
    ['10.1.2.3', true, 'private'],
    ['172.16.5.4', false, 'private'],
    ['100.64.0.1', false, 'private'],
    ['169.254.169.254', true, 'private'],
    ['fe80::1', false, 'private'],
    ['::ffff:127.0.0.1', false, 'loopback'],
    ['::ffff:10.0.0.1', true, 'private'],
    ['::ffff:20.60.1.1', false, 'private'],
    ['0.0.0.0', true, 'private'],
  ])('%s (loopback allowed: %s): %s', (address, allowLoopback, expected) => {
    const reason = refusedResolvedAddress(address, allowLoopback);
    if (expected === 'allowed') expect(reason).toBeUndefined();
    else
      expect(reason).toMatch(
        expected === 'loopback' ? /resolves to a loopback address/ : /resolves to a private, link-local or reserved address/,
      );
  });
});

describe('Retry-After', () => {
  it.each([
    ['7', 7000],
    ['0', 0],
    [null, 60_000],
    ['soon', 60_000],
  ])('reads %s as %i ms', (header, expected) => {
    expect(retryAfterMs(header, 60_000)).toBe(expected);
  });
});

describe('log redaction', () => {
  it('never lets a token or a link through', () => {
    expect(redact({ token: 'eyJ', downloadUrl: 'https://x/y?sig=1', runId: 'a-1', machineActionId: 'm' })).toEqual({
      token: '[redacted]',
      downloadUrl: '[redacted]',
      runId: 'a-1',
      machineActionId: 'm',
    });
    expect(redactText('GET https://acct.blob.core.windows.net/c?sig=abc failed; Bearer eyJ.abc.def')).toBe(
      'GET [url redacted] failed; Bearer [redacted]',
    );
  });
});
