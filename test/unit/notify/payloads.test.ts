import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alertComment } from '../../../shared/notify/alertComment.js';
import { notificationOf, type Notification } from '../../../shared/notify/notification.js';
import { plainLine } from '../../../shared/notify/plainText.js';
import { teamsMessage } from '../../../shared/notify/teamsCard.js';
import { webhookRequest } from '../../../shared/notify/webhookRequest.js';
import type { RunView } from '../../../shared/runs/model.js';
import { hexId, makeAction, makeEvidence, makeRun } from '../../helpers/runRecords.js';

const RUN = 'a-0123456789abcdef0123';
const HOSTILE = '**Pwned** [click](https://evil.example/x) <b>x</b> {{DATE(2017-02-14T06:00:00Z, SHORT)}}\n# heading\u0007 "quote"';
const SECRET = 'k'.repeat(40);

function endedRun(title = HOSTILE, devices = 1): RunView {
  const ids = Array.from({ length: devices }, (_, i) => hexId(i + 1));
  const run = { ...makeRun(RUN, ids), trigger: { kind: 'alert' as const, alertId: 'da-42', alertTitle: title } };
  const actions = ids.map((d) => ({
    ...makeAction(RUN, d),
    state: 'ended' as const,
    actionStatus: 'Succeeded' as const,
    deviceName: `ws-${d.slice(-2)}.contoso.local ${HOSTILE}`,
  }));
  return { run, actions, evidence: ids.map((d) => makeEvidence(RUN, d, `act-${d}`, 0)) };
}

function runEnded(view: RunView, fieldMaxChars = 256): Notification {
  const n = notificationOf('notify.webhook.run-ended.x', { kind: 'run-ended', runId: RUN }, view, Date.UTC(2026, 11, 5), fieldMaxChars);
  if (!n) throw new Error('no notification');
  return n;
}

/** What a receiver does: HMAC-SHA256 over `<timestamp>.<raw body>`, compared in constant time. */
function receiverAccepts(body: string, headers: Record<string, string>, secret: string): boolean {
  const timestamp = headers['x-responder-timestamp'] ?? '';
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(headers['x-responder-signature'] ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('the webhook request', () => {
  it('is signed so that a receiver holding the secret verifies the exact body', () => {
    const { body, headers } = webhookRequest(runEnded(endedRun()), SECRET, Date.UTC(2026, 11, 5, 10));

    expect(receiverAccepts(body, headers, SECRET)).toBe(true);
    expect(headers['x-responder-timestamp']).toBe(String(Date.UTC(2026, 11, 5, 10) / 1000));
    expect(headers['x-responder-delivery']).toBe('notify.webhook.run-ended.x');
  });

  it('fails verification when the body, the timestamp or the secret differ', () => {
    const { body, headers } = webhookRequest(runEnded(endedRun()), SECRET, Date.UTC(2026, 11, 5, 10));

    expect(receiverAccepts(body.replace('Succeeded', 'Failed'), headers, SECRET)).toBe(false);
    expect(receiverAccepts(body, { ...headers, 'x-responder-timestamp': '1' }, SECRET)).toBe(false);
    expect(receiverAccepts(body, headers, 'x'.repeat(40))).toBe(false);
  });

  it('carries a hostile alert title and device name as JSON strings, unchanged but for control characters', () => {
    const { body } = webhookRequest(runEnded(endedRun()), SECRET, 0);
    const parsed = JSON.parse(body) as {
      schema: string;
      run: { trigger: { alertTitle: string } };
      devices: { deviceName: string; evidence: { sha256: string }[] }[];
    };

    expect(parsed.schema).toBe('mde-responder/notification@1');
    expect(parsed.run.trigger.alertTitle).toBe(HOSTILE.replace('\n', ' ').replace('\u0007', ' '));
    expect(parsed.devices[0]?.deviceName).toContain('**Pwned** [click](https://evil.example/x)');
    expect(parsed.devices[0]?.evidence[0]?.sha256).toBe('cd'.repeat(32));
  });
});

describe('the Teams card', () => {
  const card = teamsMessage(runEnded(endedRun()), 20) as {
    type: string;
    attachments: { contentType: string; content: { type: string; body: Record<string, unknown>[] } }[];
  };
  const body = card.attachments[0]?.content.body ?? [];

  it('is a message with one Adaptive Card attachment, as a Workflows webhook takes it', () => {
    expect(card.type).toBe('message');
    expect(card.attachments).toHaveLength(1);
    expect(card.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.attachments[0]?.content.type).toBe('AdaptiveCard');
  });

  it('puts outside text only in TextRuns, which render no Markdown, with date templates broken', () => {
    const textBlocks = body.filter((e) => e.type === 'TextBlock').map((e) => String(e.text));
    const runs = body.flatMap((e) => (e.type === 'RichTextBlock' ? (e.inlines as { text: string }[]) : [])).map((r) => r.text);

    expect(textBlocks.join('\n')).not.toContain('Pwned');
    expect(runs.some((t) => t.includes('**Pwned** [click](https://evil.example/x) <b>x</b>'))).toBe(true);
    expect(runs.join('\n')).not.toContain('{{DATE');
    expect(runs.join('\n')).toContain(`sha256 ${'cd'.repeat(32)}`);
  });

  it('lists at most the configured number of devices and counts the rest', () => {
    const many = teamsMessage(runEnded(endedRun('t', 30)), 5);
    const text = JSON.stringify(many);

    expect(text.match(/"Device: "/g)).toHaveLength(5);
    expect(text).toContain('25 more device(s)');
  });
});

describe('the Defender alert comment', () => {
  it('says what ran, each device outcome and each evidence blob with its SHA-256', () => {
    const comment = alertComment(runEnded(endedRun()), { maxChars: 4_000, maxDevices: 20 }) ?? '';

    expect(comment).toContain(`run ${RUN} ended`);
    expect(comment).toContain('Playbook collect-triage@3');
    expect(comment).toMatch(/Device ws-01\.contoso\.local .* \(0{39}1\): Succeeded/);
    expect(comment).toContain(`evidence ${RUN}/${hexId(1)}/act-${hexId(1)}/0 (10 bytes) sha256 ${'cd'.repeat(32)}`);
  });

  it('is cut to its length cap, ending with where the whole run is', () => {
    const comment = alertComment(runEnded(endedRun('t', 50)), { maxChars: 500, maxDevices: 100 }) ?? '';

    expect([...comment].length).toBe(500);
    expect(comment.endsWith(`(cut; the whole run: GET /api/runs/${RUN})`)).toBe(true);
  });

  it('keeps a device name one plain line of bounded length', () => {
    const comment = alertComment(runEnded(endedRun(), 32), { maxChars: 4_000, maxDevices: 20 }) ?? '';
    const deviceLine = comment.split('\n').find((l) => l.startsWith('Device ')) ?? '';

    expect(deviceLine).toContain('Device ws-01.contoso.local **Pwned** […');
    expect(comment.split('\n').some((l) => l.startsWith('# heading'))).toBe(false);
  });
});

describe('plainLine', () => {
  it.each([
    ['line\nbreak\r\nand\u2028more', 100, 'line break and more'],
    ['bell\u0007tab\t', 100, 'bell tab '],
    ['abcdefghij', 5, 'abcd…'],
    ['😀😀😀', 2, '😀…'],
  ])('makes %j one line of at most %i characters', (text, max, expected) => {
    expect(plainLine(text, max)).toBe(expected);
  });
});
