import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bodyPreview } from '../../../shared/bus/deadLetterEntry.js';
import type { DeadLetterEntry } from '../../../shared/bus/deadLetterStore.js';
import { describeIssue, exitCodeOf, formatListing, formatReport, HELP, parseCommand } from '../../../tools/deadLetterArgs.js';

const entry = (body: unknown): DeadLetterEntry => ({
  id: 'collect:poison:7',
  queue: 'collect',
  source: 'poison',
  reason: 'TransferFailed',
  description: 'download failed',
  messageId: 'collect:r1:d1:0',
  originalMessageId: 'collect:r1:d1:0',
  firstSeenMs: Date.UTC(2026, 0, 2, 3, 4, 5),
  ...bodyPreview(body, 2048),
});

describe('npm run deadletters: arguments', () => {
  it.each([
    [['list'], { kind: 'list', json: false, request: {} }],
    [
      ['list', '--queue', 'alerts,collect', '--queue', 'polls', '--reason', 'MalformedAlert', '--limit', '10', '--json'],
      { kind: 'list', json: true, request: { queues: ['alerts', 'collect', 'polls'], reason: 'MalformedAlert', limit: 10 } },
    ],
    [['list', '--after', 'alerts:native:9'], { kind: 'list', json: false, request: { after: 'alerts:native:9' } }],
    [['replay', 'a:poison:1', 'b:native:2'], { kind: 'replay', json: false, request: { ids: ['a:poison:1', 'b:native:2'] } }],
    [['purge', '--all', '--source', 'native'], { kind: 'purge', json: false, request: { all: true, source: 'native' } }],
    [['--help'], { kind: 'help' }],
  ])('reads %j', (argv, expected) => {
    expect(parseCommand(argv)).toEqual(expected);
  });

  it.each([
    [[], /name a command/],
    [['drop'], /unknown command drop/],
    [['list', 'x:poison:1'], /list takes no ids/],
    [['list', '--all'], /--all is for replay and purge/],
    [['list', '--limit', 'ten'], /--limit: expected a whole number/],
    [['replay'], /name the dead letters .* or pass --all/],
    [['purge', 'x:poison:1', '--all'], /ids or --all, not both/],
    [['purge', 'x:poison:1', '--queue', 'alerts'], /select only with --all/],
    [['replay', '--all', '--limit', '5'], /--limit and --after are for list/],
    [['list', '--bogus'], /bogus/],
  ])('refuses %j with a clear message', (argv, message) => {
    const command = parseCommand(argv);
    expect(command.kind).toBe('invalid');
    expect(command.kind === 'invalid' && command.message).toMatch(message);
  });

  it('names a refused field as the command line spells it', () => {
    expect(describeIssue({ path: 'queues.1', message: 'Invalid option' })).toBe('--queue (value 2): Invalid option');
    expect(describeIssue({ path: 'ids.0', message: 'a dead-letter id' })).toBe('id 1: a dead-letter id');
    expect(describeIssue({ path: 'source', message: 'Invalid option' })).toBe('--source: Invalid option');
  });

  it('documents every option it reads, and the README lists the command', () => {
    for (const flag of ['--queue', '--source', '--reason', '--limit', '--after', '--all', '--json', '--help']) expect(HELP).toContain(flag);
    expect(readFileSync('README.md', 'utf8')).toContain('npm run deadletters');
    expect((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.deadletters).toContain(
      'dist/tools/deadLetters.js',
    );
  });
});

describe('npm run deadletters: output', () => {
  it('lists each dead letter with its reason, time, ids, description and a redacted preview', () => {
    const body = { link: 'https://acct.blob.core.windows.net/c/f?sv=1&sig=SECRET', note: 'AccountKey=KEYSECRET;x', runId: 'r1' };
    const text = formatListing({ entries: [entry(body)], next: 'collect:poison:7' });
    expect(text).toContain('collect:poison:7  TransferFailed  first seen 2026-01-02T03:04:05.000Z');
    expect(text).toContain('download failed');
    expect(text).toContain('"runId":"r1"');
    expect(text).not.toMatch(/SECRET|acct\.blob/);
    expect(text).toContain('AccountKey=[redacted]');
    expect(text).toContain('more: npm run deadletters -- list --after collect:poison:7');
  });

  it('reports each outcome and exits 1 when an id was not found', () => {
    const report = {
      outcomes: [
        { id: 'a:poison:1', outcome: 'replayed' as const, replayMessageId: 'm.replay-1' },
        { id: 'a:poison:2', outcome: 'not-found' as const },
      ],
      counts: { replayed: 1, purged: 0, 'not-found': 1, refused: 0 },
    };
    expect(formatReport(report)).toBe(
      'replayed  a:poison:1 as m.replay-1\nnot found a:poison:2\n1 replayed, 0 purged, 1 not found, 0 refused',
    );
    expect(exitCodeOf(report)).toBe(1);
    expect(exitCodeOf({ ...report, outcomes: [], counts: { ...report.counts, 'not-found': 0 } })).toBe(0);
  });
});
