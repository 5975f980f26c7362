import { describe, expect, it } from 'vitest';
import { parsePlaybook } from '../../../shared/playbooks/loader.js';
import { renderCommands } from '../../../shared/playbooks/render.js';
import type { Alert } from '../../../shared/alerts/alert.js';
import { readFileSync } from 'node:fs';

const dump = parsePlaybook(readFileSync('playbooks/process-memory-dump.yaml', 'utf8'), 'process-memory-dump.yaml').playbook;
const device = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';

function alertWithPid(processId: unknown): Alert {
  return {
    id: 'a1',
    source: 'defender-api',
    title: 't',
    severity: 'High',
    mitreTechniques: [],
    files: [],
    devices: [{ id: device }],
    processes: [{ deviceId: device, processId: processId as number }],
  };
}

describe('rendering a playbook into Live Response commands', () => {
  it('renders RunScript then GetFile with the validated pid and our own token', () => {
    const rendered = renderCommands(dump, { deviceId: device, runToken: 'a-0123abcd', alert: alertWithPid(6324) });
    expect(rendered).toEqual({
      ok: true,
      value: {
        commands: [
          {
            type: 'RunScript',
            params: [
              { key: 'ScriptName', value: 'Invoke-ProcessDump.ps1' },
              { key: 'Args', value: '-ProcessId 6324 -OutputName a-0123abcd' },
            ],
          },
          { type: 'GetFile', params: [{ key: 'Path', value: 'C:\\ProgramData\\MdeResponder\\Out\\a-0123abcd.dmp' }] },
        ],
        collectIndexes: [0, 1],
      },
    });
  });

  it.each([
    ['a missing pid', undefined],
    ['a pid with a command appended', '6324; Remove-Item C:\\ -Recurse'],
    ['a negative pid', -1],
    ['a pid with a subexpression', '$(calc)'],
    ['a pid beyond 32 bits', '99999999999'],
  ])('refuses the device for %s and says why', (_name, pid) => {
    const rendered = renderCommands(dump, { deviceId: device, runToken: 'a-0123abcd', alert: alertWithPid(pid) });
    expect(rendered.ok).toBe(false);
    if (!rendered.ok) expect(rendered.errors).toMatch(/argument ProcessId from alert\.process\.processId: expected/);
  });
});
