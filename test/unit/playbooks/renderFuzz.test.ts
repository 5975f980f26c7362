import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/alerts/alert.js';
import { parseAlerts } from '../../../shared/alerts/parseAlert.js';
import type { LiveResponseCommand } from '../../../shared/defender/types.js';
import { parsePlaybook } from '../../../shared/playbooks/loader.js';
import { renderCommands } from '../../../shared/playbooks/render.js';
import type { Playbook } from '../../../shared/playbooks/schema.js';
import { alertFixture, anAlert, FINANCE } from '../../helpers/alerts.js';

/**
 * Whatever an attacker writes into an alert, the rendered commands hold only
 * what the rule allows: ScriptName/FileName of [A-Za-z0-9._-]; Args as
 * `-Name value` pairs whose values are letters, digits, _ and - (encoded
 * values decode to text with none of the characters a shell interprets);
 * GetFile paths exactly the playbook's, with our own token.
 */
const SEED = 20261120;
const RUNS = 1500;
const TOKEN = 'a-0123456789abcdef0123';

const FRAGMENTS = [
  ';',
  '&',
  '&&',
  '|',
  '||',
  '!',
  '$',
  '$(calc)',
  '${env:TEMP}',
  '(',
  ')',
  '`',
  '"',
  "'",
  '\n',
  '\r\n',
  '%',
  '%COMSPEC%',
  '<',
  '>',
  '^',
  '@(',
  '#',
  '{',
  '}',
  '\t',
  ' ',
  '/',
  '\\',
  '..\\',
  '..',
  '.\\',
  '\\\\server\\share\\',
  '\\\\?\\',
  '\\\\.\\PhysicalDrive0',
  'C:\\',
  'c:',
  ':$DATA',
  '::',
  'CON',
  'nul.txt',
  'COM1',
  '\u2018',
  '\u2019',
  '\u201C',
  '\u201D',
  '\u201E',
  '\u202E',
  '\u202D',
  '\u200F',
  '\u200E',
  '\u2066',
  '\u0000',
  '\u00A0',
  '\u2013',
  '\u2014',
  '\uFF04',
  '\uFF1B',
  '\uFF08',
  'e\u0301',
  '\uD800',
  '\uDBFF\uDFFF',
  '-OutputName',
  ' -Force ',
  '-ProcessId:1',
  'a',
  'Ж',
  '名',
  'update.dll',
  'Program Files (x86)',
  '6324',
  '0',
  '-1',
  '4294967296',
  '0x1',
  '1e3',
  'DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C',
];

const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }).map((parts) => parts.join('')),
  fc
    .tuple(fc.constantFrom('C:\\', 'D:\\', 'C:\\Users\\', ''), fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 6 }))
    .map(([root, parts]) => root + parts.join('\\')),
  // POSIX roots, and paths that mix both separators.
  fc
    .tuple(
      fc.constantFrom('/', '/tmp/', '/Users/', '//', ''),
      fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 6 }),
      fc.constantFrom('/', '\\'),
    )
    .map(([root, parts, separator]) => root + parts.join(separator)),
  fc
    .tuple(fc.constantFrom(...FRAGMENTS), fc.nat({ max: 6000 }))
    .map(([piece, n]) => piece.repeat(Math.max(1, Math.floor(n / Math.max(1, piece.length))))),
);
const hostileNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(Number.NaN, Infinity, -0, 2 ** 53, 4294967296));
/** Values that should pass, so the property also sees accepted input (with letters of other scripts). */
const validName = fc.stringMatching(/^[A-Za-z0-9ЖΩ名][A-Za-z0-9 ._()+,~ЖΩ名-]{0,20}[A-Za-z0-9)]$/);
const plausible = fc.oneof(
  validName,
  fc.array(validName, { minLength: 1, maxLength: 5 }).map((parts) => 'C:\\' + parts.join('\\')),
  fc.array(validName, { minLength: 1, maxLength: 5 }).map((parts) => '/' + parts.join('/')),
  fc.integer({ min: 1, max: 65535 }),
  fc.stringMatching(/^[0-9a-f]{64}$/),
);
const hostileValue = fc.oneof(hostile, hostileNumber, plausible, plausible, fc.constant(undefined), fc.constant(null));

const shipped = readdirSync('playbooks')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => parsePlaybook(readFileSync(`playbooks/${f}`, 'utf8'), f).playbook);
/** One playbook that takes every alert source there is, so every kind is exercised. */
const everySourceText = `name: every-source
version: '1'
description: every alert source
triggers: [alert]
when: { severityAtLeast: Low, requires: [process, file] }
steps:
  - type: RunScript
    script: All.ps1
    args:
      - { name: Pid, from: alert.process.processId, as: pid, optional: true }
      - { name: Ppid, from: alert.process.parentProcessId, as: pid, optional: true }
      - { name: ImageB64, from: alert.process.fileName, as: fileName, optional: true }
      - { name: ImagePathB64, from: alert.process.path, as: filePath, optional: true }
      - { name: ImageSha256, from: alert.process.sha256, as: sha256, optional: true }
      - { name: ImageSha1, from: alert.process.sha1, as: sha1, optional: true }
      - { name: FileB64, from: alert.file.fileName, as: fileName, optional: true }
      - { name: FilePathB64, from: alert.file.path, as: filePath, optional: true }
      - { name: FileSha256, from: alert.file.sha256, as: sha256, optional: true }
      - { name: FileSha1, from: alert.file.sha1, as: sha1, optional: true }
      - { name: Device, from: alert.device.id, as: deviceId }
      - { name: OutputName, from: run.token, as: token }
  - type: GetFile
    path: 'C:\\ProgramData\\MdeResponder\\Out\\{run.token}.bin'
safety:
  allowedScripts: [All.ps1]
`;
const everySource = parsePlaybook(everySourceText, 'every-source.yaml').playbook;
/** The same for a bash script, so POSIX devices render alert values too. */
const everySourcePosix = parsePlaybook(
  everySourceText
    .replaceAll('All.ps1', 'All.sh')
    .replace("'C:\\ProgramData\\MdeResponder\\Out\\{run.token}.bin'", "'/var/tmp/out/{run.token}.bin'")
    .replace('every-source', 'every-source-posix'),
  'every-source-posix.yaml',
).playbook;
const playbooks = [...shipped, everySource, everySourcePosix];

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;
const SAFE_ARGS = /^-[A-Za-z][A-Za-z0-9]* [A-Za-z0-9][A-Za-z0-9_-]*(?: -[A-Za-z][A-Za-z0-9]* [A-Za-z0-9][A-Za-z0-9_-]*)*$/;
/** What a decoded value may never hold: shell and PowerShell metacharacters, quotes of any script, controls, bidi marks. */
const FORBIDDEN_DECODED = /[;&|!$`'"%<>^*?\u0000-\u001f\u007f\u2018-\u201f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function assertSafe(playbook: Playbook, commands: LiveResponseCommand[]): void {
  commands.forEach((command, i) => {
    const step = playbook.steps[i];
    for (const { key, value } of command.params) {
      if (key === 'ScriptName' || key === 'FileName') expect(value).toMatch(SAFE_NAME);
      else if (key === 'Path') expect(step?.type === 'GetFile' && value === step.path.replaceAll('{run.token}', TOKEN)).toBe(true);
      else if (key === 'Args') {
        expect(value.length).toBeLessThanOrEqual(4096);
        expect(value).toMatch(SAFE_ARGS);
        for (const [, name, encoded] of value.matchAll(/-([A-Za-z0-9]+) ([A-Za-z0-9_-]+)/g)) {
          if (!name?.endsWith('B64')) continue;
          const decoded = Buffer.from(encoded ?? '', 'base64url').toString('utf8');
          expect(decoded).not.toMatch(FORBIDDEN_DECODED);
          expect(decoded.split(/[\\/]/)).not.toContain('..');
          expect(decoded.startsWith('\\')).toBe(false);
          expect(decoded.startsWith('//')).toBe(false);
          if (decoded.startsWith('/')) posixAccepted += 1;
        }
      } else throw new Error(`unexpected parameter ${key}`);
    }
  });
}

/** Renders that went through with an encoded value: the property must see accepted hostile-looking input too. */
let encodedAccepted = 0;
/** Of those, POSIX paths accepted for Linux and macOS devices. */
let posixAccepted = 0;

function renderAll(alert: Alert): void {
  for (const playbook of playbooks) {
    for (const device of alert.devices) {
      const rendered = renderCommands(playbook, { deviceId: device.id, runToken: TOKEN, alert, os: device.os });
      if (rendered.ok) {
        assertSafe(playbook, rendered.value.commands);
        if (rendered.value.commands.some((c) => c.params.some((p) => p.key === 'Args' && p.value.includes('B64 ')))) encodedAccepted += 1;
      } else expect(rendered.errors).toMatch(/^step \d+ \(\w+\): /);
    }
  }
}

describe('rendering hostile alert values', () => {
  it('never puts an interpretable character into a command, whatever the normalised alert holds', () => {
    fc.assert(
      fc.property(
        fc.record({
          pid: hostileValue,
          ppid: hostileValue,
          name: hostileValue,
          folder: hostileValue,
          path: hostileValue,
          sha: hostileValue,
          os: fc.constantFrom(undefined, 'windows', 'linux', 'macos'),
        }),
        (v) => {
          const cast = (x: unknown) => x as never;
          renderAll(
            anAlert({
              devices: [{ id: FINANCE, os: v.os }],
              processes: [
                {
                  deviceId: FINANCE,
                  processId: cast(v.pid),
                  parentProcessId: cast(v.ppid),
                  fileName: cast(v.name),
                  folderPath: cast(v.folder),
                  sha256: cast(v.sha),
                  sha1: cast(v.sha),
                },
              ],
              files: [
                {
                  deviceId: FINANCE,
                  fileName: cast(v.name),
                  folderPath: cast(v.folder),
                  path: cast(v.path),
                  sha256: cast(v.sha),
                  sha1: cast(v.sha),
                },
              ],
            }),
          );
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(encodedAccepted).toBeGreaterThan(30);
    expect(posixAccepted).toBeGreaterThan(10);
  });

  it('never does either when the hostile values arrive in any alert shape', () => {
    const defender = alertFixture('defender-api-alert');
    const graph = alertFixture('graph-alerts-v2');
    fc.assert(
      fc.property(
        hostile,
        hostile,
        hostileValue,
        hostile,
        fc.constantFrom('Linux', 'macOS', 'Windows11', 'CentOS'),
        (name, folder, pid, text, os) => {
          const bodies = [
            {
              ...defender,
              machine: { osPlatform: text.length % 2 ? os : text },
              evidence: [
                {
                  entityType: 'Process',
                  processId: typeof pid === 'number' ? pid : null,
                  fileName: name,
                  filePath: folder,
                  sha256: name,
                  processCommandLine: text,
                },
                { entityType: 'File', fileName: name, filePath: folder },
              ],
            },
            {
              ...graph,
              evidence: [
                // The device names its OS (a real family, or attacker text); the other entries name no device and are bound to it.
                {
                  '@odata.type': '#microsoft.graph.security.deviceEvidence',
                  mdeDeviceId: FINANCE,
                  osPlatform: text.length % 2 ? os : text,
                },
                {
                  '@odata.type': '#microsoft.graph.security.processEvidence',
                  mdeDeviceId: null,
                  processCommandLine: text,
                  processId: Number.isSafeInteger(pid) ? pid : null,
                  imageFile: { fileName: name, filePath: folder },
                },
                {
                  '@odata.type': '#microsoft.graph.security.fileEvidence',
                  mdeDeviceId: null,
                  fileDetails: { fileName: name, filePath: folder, sha256: folder },
                },
              ],
            },
            {
              records: [
                {
                  category: 'AdvancedHunting-AlertEvidence',
                  properties: {
                    AlertId: 'da9',
                    Title: name,
                    Severity: 'High',
                    EntityType: 'File',
                    FileName: name,
                    FolderPath: folder,
                    SHA256: name,
                    DeviceId: FINANCE,
                    ProcessCommandLine: text,
                  },
                },
              ],
            },
          ];
          for (const body of bodies) {
            const parsed = parseAlerts(body);
            if (parsed.ok) parsed.value.alerts.forEach(renderAll);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('accepts the realistic values among them (the rule is not "refuse everything")', () => {
    const rendered = renderCommands(everySource, {
      deviceId: FINANCE,
      runToken: TOKEN,
      alert: anAlert({
        processes: [
          { deviceId: FINANCE, processId: 8812, fileName: 'powershell.exe', folderPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0' },
        ],
        files: [{ deviceId: FINANCE, path: 'C:\\Users\\Ж\\AppData\\Local\\Temp\\stage2 (1).ps1' }],
      }),
    });
    expect(rendered.ok).toBe(true);
    if (rendered.ok) assertSafe(everySource, rendered.value.commands);
  });
});
