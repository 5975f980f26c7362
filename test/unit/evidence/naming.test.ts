import { describe, expect, it } from 'vitest';
import { evidenceBlobName } from '../../../shared/evidence/naming.js';

const ids = { runId: 'a-0123abcd', deviceId: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07', machineActionId: '7f1c2d3e-0000-4000-8000-000000000001', commandIndex: 1, commandType: 'GetFile' };

describe('evidence blob names', () => {
  it('are built from our ids with a short label from the file name', () => {
    expect(evidenceBlobName({ ...ids, source: 'C:\\ProgramData\\MdeResponder\\Out\\a-0123abcd.dmp' }))
      .toBe('a-0123abcd/1e5bc9d7e413ddd7902c2932e418702b84d0cc07/7f1c2d3e-0000-4000-8000-000000000001/1-a-0123abcd.dmp.gz');
  });

  it.each([
    ['a climbing path', 'C:\\..\\..\\Windows\\..'],
    ['a UNC path', '\\\\evil-host\\share\\..\\x'],
    ['control characters', 'C:\\tmp\\a\u0000b\r\nc'],
    ['right-to-left marks', 'C:\\tmp\\invoice\u202Egpj.exe'],
    ['2,000 characters', `C:\\${'a'.repeat(2000)}`],
    ['trailing dots', 'C:\\tmp\\name...'],
  ])('cannot be escaped or broken by %s', (_name, source) => {
    const name = evidenceBlobName({ ...ids, source });
    const parts = name.split('/');
    expect(parts).toHaveLength(4);
    expect(parts.slice(0, 3)).toEqual([ids.runId, ids.deviceId, ids.machineActionId]);
    expect(parts[3]).toMatch(/^1-[A-Za-z0-9][A-Za-z0-9._-]{0,79}\.gz$|^1-result\.gz$/);
  });
});
