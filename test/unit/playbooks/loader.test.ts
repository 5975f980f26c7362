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
    expect(loaded.map((p) => p.playbook.name)).toEqual(['collect-hosts-file', 'process-memory-dump']);
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
});
