import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { loadPlaybooks, parsePlaybook } from '../../../shared/playbooks/loader.js';

const valid = `name: ok-playbook
version: 1.0.0
description: fine
triggers: [manual]
steps:
  - type: GetFile
    path: 'C:\\Windows\\Temp\\x.log'
`;

function errorOf(text: string): ValidationError {
  try {
    parsePlaybook(text, 'pb.yaml');
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected the playbook to be refused');
}

describe('loading playbooks', () => {
  it('loads the shipped playbooks', async () => {
    const loaded = await loadPlaybooks('playbooks');
    expect(loaded.map((p) => p.playbook.name)).toEqual([
      'collect-alert-file-posix',
      'collect-alert-file',
      'collect-event-logs',
      'collect-hosts-file',
      'process-memory-dump',
      'triage-bundle',
    ]);
    expect(loaded[0]?.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the file, the line, the field and what was expected', () => {
    const error = errorOf(valid.replace("'C:\\Windows\\Temp\\x.log'", "'relative\\path'"));
    expect(error.issues[0]?.path).toBe('pb.yaml:7 steps.0.path');
    expect(error.issues[0]?.message).toMatch(/absolute path/);
  });

  it('refuses steps out of the order Defender requires', () => {
    const text = valid.replace('steps:\n', "steps:\n  - type: GetFile\n    path: 'C:\\a'\n  - type: PutFile\n    file: x.ps1\n");
    expect(errorOf(text).message).toMatch(/steps\.1\.type: Defender requires the order PutFile, RunScript, GetFile/);
  });

  it('refuses unknown fields', () => {
    expect(errorOf(valid + 'colour: blue\n').message).toMatch(/pb\.yaml:\d+ \(root\): Unrecognized key.*colour/);
  });

  it('refuses a GetFile path that climbs out with ..', () => {
    expect(errorOf(valid.replace('Temp\\x.log', 'Temp\\..\\..\\x.log')).message).toMatch(/no "\.\." segments/);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(errorOf('name: [unclosed\n').issues[0]?.path).toMatch(/^pb\.yaml:\d+$/);
  });

  it('refuses two playbooks with the same name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pb-'));
    writeFileSync(path.join(dir, 'a.yaml'), valid);
    writeFileSync(path.join(dir, 'b.yaml'), valid);
    await expect(loadPlaybooks(dir)).rejects.toThrow(/also used by/);
  });

  const script = `name: ok-script
version: 1.0.0
description: fine
triggers: [alert]
when:
  severityAtLeast: High
steps:
  - type: RunScript
    script: Do-It.ps1
    args:
      - { name: OutputName, from: run.token, as: token }
safety:
  allowedScripts: [Do-It.ps1]
`;

  it.each([
    [
      'a script missing from safety.allowedScripts',
      script.replace('allowedScripts: [Do-It.ps1]', 'allowedScripts: []'),
      /pb\.yaml:9 steps\.0\.script: Do-It\.ps1 is not in safety\.allowedScripts/,
    ],
    [
      'an alert playbook without conditions',
      script.replace('  severityAtLeast: High\n', '  requires: []\n'),
      /pb\.yaml:\d+ when: an alert-triggered playbook needs at least one condition/,
    ],
    ['a source declared as the wrong kind', script.replace('as: token', 'as: pid'), /steps\.0\.args\.0\.as: run\.token is of kind token/],
    [
      'an encoded kind without a B64 name',
      script.replace('{ name: OutputName, from: run.token, as: token }', '{ name: Path, from: alert.file.path, as: filePath }'),
      /steps\.0\.args\.0\.name: a filePath travels base64url-encoded: its parameter name must end in B64/,
    ],
    [
      'alert evidence the when does not require',
      script.replace('{ name: OutputName, from: run.token, as: token }', '{ name: Pid, from: alert.process.processId, as: pid }'),
      /when\.requires: must include process/,
    ],
    [
      'a literal value that is not of its kind',
      script.replace('{ name: OutputName, from: run.token, as: token }', "{ name: Hours, value: '24; calc', as: int }"),
      /steps\.0\.args\.0\.value: expected a whole number/,
    ],
    [
      'both a source and a value',
      script.replace('from: run.token,', 'from: run.token, value: abc,'),
      /steps\.0\.args\.0\.from: exactly one of from/,
    ],
    [
      'an alert value in a manual playbook',
      script
        .replace('triggers: [alert]', 'triggers: [alert, manual]')
        .replace('{ name: OutputName, from: run.token, as: token }', '{ name: Pid, from: alert.process.processId, as: pid }')
        .replace('severityAtLeast: High', 'severityAtLeast: High\n  requires: [process]'),
      /triggers: steps take values from an alert/,
    ],
    [
      'a schedule without where',
      script.replace('triggers: [alert]', "triggers: [alert, schedule]\nschedule: { cron: '0 0 2 * * *' }"),
      /pb\.yaml:\d+ where: required when triggers include schedule/,
    ],
    [
      'a schedule with an invalid cron',
      script.replace('triggers: [alert]', "triggers: [alert, schedule]\nwhere: { tags: [A] }\nschedule: { cron: '0 0 25 * * *' }"),
      /schedule\.cron: an NCRONTAB expression: hour "25"/,
    ],
    [
      'a where that selects everything',
      script.replace('triggers: [alert]', 'triggers: [alert, manual]\nwhere: {}'),
      /where: at least one of tags, osPlatforms, namePrefix/,
    ],
    [
      'a where that selects by OS family alone',
      script.replace('triggers: [alert]', 'triggers: [alert, manual]\nwhere: { os: [linux] }'),
      /pb\.yaml:\d+ where: at least one of tags, osPlatforms, namePrefix .*os only narrows one/,
    ],
    [
      'an OS family that does not exist',
      script.replace('severityAtLeast: High', 'severityAtLeast: High\n  os: [solaris]'),
      /pb\.yaml:\d+ when\.os\.0: an OS family: windows, linux, macos/,
    ],
    ['a deadline beyond three days', script + 'limits: { deadline: 4d }\n', /limits\.deadline: between 10m and 3d/],
    [
      'an unknown condition',
      script.replace('severityAtLeast: High', 'severityAtLeast: High\n  any:\n    - colour: red'),
      /when\.any\.0: Unrecognized key/,
    ],
    [
      'a bad technique id',
      script.replace('severityAtLeast: High', 'mitreTechniques: [T10]'),
      /when\.mitreTechniques\.0: a MITRE ATT&CK technique id/,
    ],
  ])('refuses %s, naming file, line and field', (_name, text, expected) => {
    expect(errorOf(text).message).toMatch(expected);
  });

  it('turns limits.deadline into milliseconds', () => {
    expect(parsePlaybook(script + 'limits: { deadline: 6h }\n', 'pb.yaml').playbook.limits).toEqual({
      maxDevices: 25,
      deadlineMs: 6 * 3_600_000,
    });
  });
});
