import { pathStyleOf, type DeviceOs } from '../alerts/alert.js';
import { fail, ok, type Result } from '../result.js';

/**
 * Strict validators for every value that reaches a RunScript `Args` string.
 * A value that is not exactly of its kind is refused with the reason; it is
 * never cleaned up and used.
 *
 * Two encodings keep `Args` free of anything Live Response or a shell could
 * interpret: `plain` kinds (pid, token, hashes, ids, int) are accepted only
 * in an alphabet of letters, digits and `-`, so they need no quoting;
 * `base64url` kinds (file names, paths: letters of any script, spaces,
 * parentheses) are validated here, then passed as base64url of their UTF-8
 * bytes in a parameter whose name ends in `B64`, and the library script
 * decodes and validates them again.
 */
export const ARGUMENT_KINDS = ['pid', 'token', 'sha256', 'sha1', 'deviceId', 'int', 'fileName', 'filePath'] as const;
export type ArgumentKind = (typeof ARGUMENT_KINDS)[number];

export type Encoding = 'plain' | 'base64url';

interface KindSpec {
  encoding: Encoding;
  expected: string | ((os: DeviceOs | undefined) => string);
  /** The value as it will be rendered (before encoding), or undefined when it is not of this kind on a device of this OS. */
  accept(text: string, os: DeviceOs | undefined): string | undefined;
}

const digits = (text: string, max: number, allowZero: boolean): string | undefined =>
  (allowZero ? /^(0|[1-9][0-9]{0,9})$/ : /^[1-9][0-9]{0,9}$/).test(text) && Number(text) <= max ? text : undefined;
const hex =
  (length: number) =>
  (text: string): string | undefined =>
    new RegExp(`^[0-9a-fA-F]{${length}}$`).test(text) ? text.toLowerCase() : undefined;

/** Letters and digits of any script, space and `. _ ( ) + , ~ -`; nothing PowerShell or cmd treats specially. */
const NAME_CHARS = /^[\p{L}\p{N} ._()+,~-]+$/u;
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)(\..*)?$/i;

/**
 * Why a single path segment (or file name) is refused, or undefined when it
 * is acceptable. Windows (and an unknown OS) also refuses reserved device
 * names and names ending in a space or a dot.
 */
export function nameProblem(name: string, os?: DeviceOs): string | undefined {
  if (name.length === 0 || name.length > 255) return 'names of 1 to 255 characters';
  if (!NAME_CHARS.test(name)) return 'only letters, digits, space and . _ ( ) + , ~ -';
  if (name === '.' || name === '..') return 'no "." or ".." segments';
  if (name.startsWith(' ')) return 'no name starting with a space';
  if (os === 'linux' || os === 'macos') return undefined;
  if (/[ .]$/.test(name)) return 'no name ending in a space or a dot';
  if (RESERVED_NAME.test(name)) return 'no reserved device names (CON, NUL, COM1, ...)';
  return undefined;
}

function windowsPath(text: string): string | undefined {
  if (text.length > 260 || text.normalize('NFC') !== text) return undefined;
  const match = /^([A-Za-z]):\\(.+)$/.exec(text);
  if (!match?.[2]) return undefined;
  return match[2].split('\\').every((segment) => nameProblem(segment, 'windows') === undefined) ? text : undefined;
}

/** Longest absolute path accepted: Linux PATH_MAX, macOS PATH_MAX. */
const POSIX_MAX = { linux: 4096, macos: 1024 } as const;

function posixPath(text: string, os: 'linux' | 'macos'): string | undefined {
  if (text.length > POSIX_MAX[os] || text.normalize('NFC') !== text) return undefined;
  const match = /^\/(.+)$/.exec(text);
  if (!match?.[1]) return undefined;
  return match[1].split('/').every((segment) => nameProblem(segment, os) === undefined) ? text : undefined;
}

/** A path by the rules of the device's OS; when the OS is unknown, by its own form (`/...` POSIX, `X:\\...` Windows). */
function localPath(text: string, os: DeviceOs | undefined): string | undefined {
  const style = os ?? pathStyleOf(text);
  return style === 'windows' ? windowsPath(text) : posixPath(text, style === 'macos' ? 'macos' : 'linux');
}

const PATH_RULES = {
  windows: 'an absolute local path (X:\\folder\\name, at most 260 characters)',
  linux: 'an absolute path (/folder/name, at most 4096 characters)',
  macos: 'an absolute path (/folder/name, at most 1024 characters)',
} as const;

function expectedPath(os: DeviceOs | undefined): string {
  const form = os ? PATH_RULES[os] : `${PATH_RULES.windows} or ${PATH_RULES.linux}`;
  return `${form} of names of letters, digits, space and . _ ( ) + , ~ -; no UNC, device, empty or ".." segments, NFC-normalised`;
}

const KINDS: Record<ArgumentKind, KindSpec> = {
  pid: { encoding: 'plain', expected: 'a process id: digits, 1..4294967295, no leading zero', accept: (t) => digits(t, 0xffffffff, false) },
  int: { encoding: 'plain', expected: 'a whole number 0..999999999', accept: (t) => digits(t, 999_999_999, true) },
  token: {
    encoding: 'plain',
    expected: 'a token of lower-case letters, digits and - (at most 64)',
    accept: (t) => (/^[a-z0-9][a-z0-9-]{0,63}$/.test(t) ? t : undefined),
  },
  sha256: { encoding: 'plain', expected: 'a SHA-256: 64 hexadecimal digits', accept: hex(64) },
  sha1: { encoding: 'plain', expected: 'a SHA-1: 40 hexadecimal digits', accept: hex(40) },
  deviceId: { encoding: 'plain', expected: 'a Defender device id: 40 hexadecimal digits', accept: hex(40) },
  fileName: {
    encoding: 'base64url',
    expected: 'a file name: 1-255 letters, digits, space and . _ ( ) + , ~ -, not a reserved name, NFC-normalised',
    accept: (t, os) => (t.normalize('NFC') === t && nameProblem(t, os) === undefined ? t : undefined),
  },
  filePath: { encoding: 'base64url', expected: expectedPath, accept: localPath },
};

export function encodingOf(kind: ArgumentKind): Encoding {
  return KINDS[kind].encoding;
}

/**
 * Validates a value for its kind, by the rules of the device's OS when it is
 * known, and returns it exactly as it goes into `Args`: the plain value, or
 * the base64url (no padding) of its UTF-8 bytes.
 */
export function validateArgument(kind: ArgumentKind, value: unknown, os?: DeviceOs): Result<string, string> {
  const spec = KINDS[kind];
  const expected = typeof spec.expected === 'string' ? spec.expected : spec.expected(os);
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value) && spec.encoding === 'plain') text = String(value);
  else return fail(`expected ${expected}, got ${value === undefined || value === null ? 'nothing' : typeof value}`);
  const accepted = spec.accept(text, os);
  if (accepted === undefined) return fail(`expected ${expected}; refused ${quoteForHumans(text)}`);
  return ok(spec.encoding === 'plain' ? accepted : Buffer.from(accepted, 'utf8').toString('base64url'));
}

/** A refused value, safe to show a person: at most 80 characters, anything outside printable ASCII as \u{..}. */
export function quoteForHumans(text: string): string {
  const shown = [...text.slice(0, 80)]
    .map((ch) => (/^[\x20-\x7e]$/.test(ch) ? ch : `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`))
    .join('');
  return `"${shown.replaceAll('"', '\\"')}"${text.length > 80 ? ` (${text.length} characters)` : ''}`;
}
