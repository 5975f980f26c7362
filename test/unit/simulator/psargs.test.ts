import { describe, expect, it } from 'vitest';
import { fillTemplate, parsePowerShellArgs, type ParsedArgs } from '../../../simulator/psargs.js';

function parsed(input: string): ParsedArgs {
  const result = parsePowerShellArgs(input);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('PowerShell-style Args parser', () => {
  it.each([
    ['-ProcessId 8812 -OutputName dump-1', { processid: '8812', outputname: 'dump-1' }],
    ["-ProcessId 8812 -OutputName 'dump one'", { processid: '8812', outputname: 'dump one' }],
    ["-OutputName 'it''s'", { outputname: "it's" }],
    ['-OutputName "a b"', { outputname: 'a b' }],
    ['-OutputName:x -Verbose', { outputname: 'x', verbose: 'True' }],
    ["-OutputName:'a b'", { outputname: 'a b' }],
    ['-Offset -5', { offset: '-5' }],
    ["-Path '-NotAName'", { path: '-NotAName' }],
    ['  ', {}],
  ])('%s', (input, expected) => {
    // Act
    const args = parsed(input);
    // Assess
    expect(Object.fromEntries(args.named)).toEqual(expected);
  });

  it('keeps unnamed tokens as positional arguments', () => {
    // Act
    const args = parsed('--noargs first');
    // Assess
    expect(args.positional).toEqual(['--noargs', 'first']);
    expect(args.named.size).toBe(0);
  });

  it.each([
    ["-OutputName 'open", /terminator/],
    ['-A 1 -a 2', /more than once/],
  ])('rejects %s', (input, message) => {
    // Act
    const result = parsePowerShellArgs(input);
    // Assess
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});

describe('placeholder filling', () => {
  const args = parsed("-OutputName 'case-42' -ProcessId 8812");

  it('fills {Name} from arguments, case-insensitively', () => {
    // Act
    const result = fillTemplate('C:\\Out\\{outputname}.dmp', args, { strict: true });
    // Assess
    expect(result).toEqual({ ok: true, value: 'C:\\Out\\case-42.dmp' });
  });

  it('fails on a missing argument when strict', () => {
    // Act
    const result = fillTemplate('C:\\Out\\{Missing}.dmp', args, { strict: true });
    // Assess
    expect(result).toEqual({ ok: false, missing: 'Missing' });
  });

  it('leaves a missing placeholder as written when lenient, and uses built-ins', () => {
    // Act
    const result = fillTemplate('{ProcessId} on {Host} {Missing}', args, { strict: false, builtins: new Map([['host', 'ws-1']]) });
    // Assess
    expect(result).toEqual({ ok: true, value: '8812 on ws-1 {Missing}' });
  });
});
