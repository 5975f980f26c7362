import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evidenceBlobName, manifestBlobName } from '../../../shared/evidence/naming.js';

const ids = {
  runId: 'a-0123abcd',
  deviceId: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
  machineActionId: '7f1c2d3e-0000-4000-8000-000000000001',
  commandIndex: 1,
  commandType: 'GetFile',
};

describe('evidence blob names', () => {
  it('are built from our ids with a short label from the file name', () => {
    expect(evidenceBlobName({ ...ids, source: 'C:\\ProgramData\\MdeResponder\\Out\\a-0123abcd.dmp' })).toBe(
      'a-0123abcd/1e5bc9d7e413ddd7902c2932e418702b84d0cc07/7f1c2d3e-0000-4000-8000-000000000001/1-a-0123abcd.dmp.gz',
    );
  });

  it.each([
    ['a climbing path', 'C:\\..\\..\\Windows\\..'],
    ['a UNC path', '\\\\evil-host\\share\\..\\x'],
    ['control characters', 'C:\\tmp\\a\u0000b\r\nc'],
    ['right-to-left marks', 'C:\\tmp\\invoice\u202Egpj.exe'],
    ['2,000 characters', `C:\\${'a'.repeat(2000)}`],
    ['trailing dots', 'C:\\tmp\\name...'],
    ['nothing but dots', '..'],
    ['an empty path', ''],
    ['a trailing separator', 'C:\\tmp\\'],
    ['percent-encoded climbing', 'C:\\tmp\\%2e%2e%2f%2e%2e%2fetc'],
    ['forward-slash climbing', '/../../etc/passwd'],
    ['full-width solidus and dots', 'C:\\tmp\\\uFF0E\uFF0E\uFF0Fx'],
    ['an alternate data stream', 'C:\\tmp\\file.txt:hidden:$DATA'],
    ['a device name', 'C:\\tmp\\CON'],
    ['a URL with a query', 'https://evil.example/x?sig=abc&se=2099'],
    ['emoji and lone surrogates', 'C:\\tmp\\\uD83D\uDE00\uD800x'],
  ])('cannot be escaped or broken by %s', (_name, source) => {
    const name = evidenceBlobName({ ...ids, source });
    const parts = name.split('/');
    expect(parts).toHaveLength(4);
    expect(parts.slice(0, 3)).toEqual([ids.runId, ids.deviceId, ids.machineActionId]);
    expect(parts[3]).toMatch(/^1-[A-Za-z0-9][A-Za-z0-9._-]{0,79}\.gz$|^1-result\.gz$/);
  });
});

describe('evidence blob names, whatever the device path', () => {
  it('keep our ids as the first three segments and a safe, short label as the last', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 3000 }),
        fc.integer({ min: 0, max: 999 }),
        fc.constantFrom('GetFile', 'RunScript'),
        (source, commandIndex, commandType) => {
          const name = evidenceBlobName({ ...ids, commandIndex, commandType, source });
          const parts = name.split('/');
          expect(parts).toHaveLength(4);
          expect(parts.slice(0, 3)).toEqual([ids.runId, ids.deviceId, ids.machineActionId]);
          expect(parts[3]).toMatch(/^\d{1,3}-(?!\.)[A-Za-z0-9._-]{1,80}\.(gz|transcript\.json)$/);
          expect(name.length).toBeLessThanOrEqual(300);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never let an id climb out of its segment', () => {
    expect(evidenceBlobName({ ...ids, runId: '../../a-1', deviceId: 'dev/..\\x', source: 'x' }).split('/')).toHaveLength(4);
    expect(manifestBlobName('a-1/../../b')).toBe('a-1b/manifest.json');
    expect(() => evidenceBlobName({ ...ids, runId: '../..', source: 'x' })).toThrow(/empty after sanitising/);
  });
});
