import { describe, expect, it } from 'vitest';
import { validateLiveResponseBody } from '../../../simulator/commands.js';
import { ApiError } from '../../../simulator/errors.js';
import { getFile, putFile, runScript } from '../../helpers/simulator.js';

function codeOf(body: unknown): string {
  try {
    validateLiveResponseBody(body);
    return 'ok';
  } catch (error) {
    if (error instanceof ApiError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe('runliveresponse body validation', () => {
  it.each([
    ['all three types in order', { Commands: [putFile('a.ps1'), runScript('a.ps1', '-X 1'), getFile('C:\\a')], Comment: 'c' }, 'ok'],
    ['repeated types', { Commands: [runScript('a.ps1'), runScript('b.ps1'), getFile('C:\\a'), getFile('C:\\b')] }, 'ok'],
    ['Comment omitted', { Commands: [getFile('C:\\a')] }, 'ok'],
    ['not an object', [1, 2], '400 InvalidRequestBody'],
    ['lower-case commands', { commands: [getFile('C:\\a')], Comment: 'c' }, '400 InvalidRequestBody'],
    ['no Commands', { Comment: 'c' }, '400 MissingRequiredParameter'],
    ['Commands not an array', { Commands: 'x' }, '400 InvalidRequestBody'],
    ['empty Commands', { Commands: [] }, '400 InvalidInput'],
    ['Type instead of type', { Commands: [{ Type: 'GetFile', params: [] }] }, '400 InvalidRequestBody'],
    ['no params', { Commands: [{ type: 'GetFile' }] }, '400 MissingRequiredParameter'],
    ['Key instead of key', { Commands: [{ type: 'GetFile', params: [{ Key: 'Path', value: 'C:\\a' }] }] }, '400 InvalidRequestBody'],
    ['unknown type', { Commands: [{ type: 'RunCommand', params: [] }] }, '400 InvalidInput'],
    ['GetFile before RunScript', { Commands: [getFile('C:\\a'), runScript('a.ps1')] }, '400 InvalidInput'],
    ['RunScript before PutFile', { Commands: [runScript('a.ps1'), putFile('a.ps1')] }, '400 InvalidInput'],
    ['path key in lower case', { Commands: [{ type: 'GetFile', params: [{ key: 'path', value: 'C:\\a' }] }] }, '400 InvalidInput'],
    ['missing ScriptName', { Commands: [{ type: 'RunScript', params: [{ key: 'Args', value: '-X 1' }] }] }, '400 InvalidInput'],
    [
      'Args on GetFile',
      {
        Commands: [
          {
            type: 'GetFile',
            params: [
              { key: 'Path', value: 'C:\\a' },
              { key: 'Args', value: 'x' },
            ],
          },
        ],
      },
      '400 InvalidInput',
    ],
    ['Comment not a string', { Commands: [getFile('C:\\a')], Comment: 5 }, '400 InvalidRequestBody'],
  ])('%s → %s', (_name, body, expected) => {
    // Act
    const outcome = codeOf(body);
    // Assess
    expect(outcome).toBe(expected);
  });
});
