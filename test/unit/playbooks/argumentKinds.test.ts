import { describe, expect, it } from 'vitest';
import { validateArgument, type ArgumentKind } from '../../../shared/playbooks/argumentKinds.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

describe('argument kinds', () => {
  it.each<[ArgumentKind, unknown, string]>([
    ['pid', 6324, '6324'],
    ['pid', '4294967295', '4294967295'],
    ['int', 0, '0'],
    ['token', 'a-0123abcd', 'a-0123abcd'],
    [
      'sha256',
      'DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C',
      'de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c',
    ],
    ['sha1', '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567', '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567'],
    ['deviceId', '1E5BC9D7E413DDD7902C2932E418702B84D0CC07', '1e5bc9d7e413ddd7902c2932e418702b84d0cc07'],
    ['fileName', 'update (1).dll', b64('update (1).dll')],
    ['fileName', 'отчёт.docx', b64('отчёт.docx')],
    ['filePath', 'C:\\Program Files (x86)\\App\\app.exe', b64('C:\\Program Files (x86)\\App\\app.exe')],
    ['filePath', 'C:\\PROGRA~1\\x.dll', b64('C:\\PROGRA~1\\x.dll')],
  ])('accepts %s %j and renders it as %s', (kind, value, rendered) => {
    expect(validateArgument(kind, value)).toEqual({ ok: true, value: rendered });
  });

  it.each<[ArgumentKind, unknown]>([
    ['pid', 0],
    ['pid', -1],
    ['pid', '06324'],
    ['pid', '6324 '],
    ['pid', '6324\n'],
    ['pid', 1.5],
    ['pid', '4294967296'],
    ['pid', '0x10'],
    ['pid', undefined],
    ['token', 'A-Upper'],
    ['token', 'a;b'],
    ['token', ''],
    ['sha256', 'abc'],
    ['sha256', `${'a'.repeat(63)}g`],
    ['fileName', '..'],
    ['fileName', 'a\\b'],
    ['fileName', 'a"b'],
    ['fileName', 'CON'],
    ['fileName', 'nul.txt'],
    ['fileName', 'name.'],
    ['fileName', 'a$(calc)'],
    ['fileName', 'a\u202Etxt.exe'],
    ['fileName', 'a\u2019b'],
    ['fileName', 'a\u0000b'],
    ['fileName', 'x'.repeat(256)],
    ['fileName', 'e\u0301'],
    ['filePath', '\\\\server\\share\\x'],
    ['filePath', 'C:\\a\\..\\b'],
    ['filePath', 'C:/a/b'],
    ['filePath', 'relative\\x'],
    ['filePath', 'C:\\a\\b:stream'],
    ['filePath', '\\\\?\\C:\\x'],
    ['filePath', 'C:\\a\\'],
    ['filePath', `C:\\${'a'.repeat(300)}`],
    ['filePath', 'C:\\a;b'],
    ['filePath', 'C:\\a%TEMP%b'],
    ['filePath', 'C:\\a`b'],
    ['int', 'ten'],
    ['deviceId', 'x'.repeat(40)],
  ])('refuses %s %j with a reason', (kind, value) => {
    const result = validateArgument(kind, value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toMatch(/^expected /);
  });

  it('shows a refused value to people without control or bidirectional characters', () => {
    const result = validateArgument('fileName', 'evil\u202Egpj.exe\n');
    expect(!result.ok && result.errors).toContain('refused "evil\\u{202e}gpj.exe\\u{a}"');
  });
});

describe('paths by the device OS', () => {
  it.each<[string, 'windows' | 'linux' | 'macos' | undefined]>([
    ['/tmp/.cache/update.sh', 'linux'],
    ['/home/jdoe/report.', 'linux'],
    ['/opt/app/con', 'linux'],
    ['/Users/jdoe/Library/LaunchAgents/com.x.plist', 'macos'],
    ['/usr/bin/bash', undefined],
    ['C:\\Temp\\x.exe', undefined],
    ['C:\\Temp\\x.exe', 'windows'],
  ])('accepts %s on a %s device', (path, os) => {
    expect(validateArgument('filePath', path, os)).toEqual({ ok: true, value: b64(path) });
  });

  it.each<[string, 'windows' | 'linux' | 'macos' | undefined]>([
    ['/tmp/x', 'windows'],
    ['C:\\Temp\\x.exe', 'linux'],
    ['/tmp/../etc/shadow', 'linux'],
    ['/tmp/./x', 'linux'],
    ['/tmp//x', 'linux'],
    ['/tmp/x/', 'linux'],
    ['/', 'linux'],
    ['tmp/x', 'linux'],
    ['/tmp/a\u0000b', 'linux'],
    ['/tmp/$(id)', 'linux'],
    ['/tmp/a;b', 'macos'],
    ['/tmp/a\\b', 'linux'],
    ['/tmp/\u202egnp.sh', 'linux'],
    [`/${'a/'.repeat(600)}x`, 'macos'],
    [`/${'a/'.repeat(2100)}x`, 'linux'],
  ])('refuses %j on a %s device', (path, os) => {
    expect(validateArgument('filePath', path, os).ok).toBe(false);
  });

  it('names the rules of the device OS when it refuses', () => {
    const refused = validateArgument('filePath', 'C:\\x', 'linux');
    expect(refused.ok ? '' : refused.errors).toMatch(/^expected an absolute path \(\/folder\/name, at most 4096 characters\)/);
  });
});
