import { outcomeOf, type DeviceNote, type Notification, type RunNote } from './notification.js';

/**
 * The Teams message a Workflows webhook ("when a Teams webhook request is
 * received", then "post card in a chat or channel") takes: a `message` with
 * one Adaptive Card attachment.
 *
 * Texts from outside are never put where the card interprets them: a
 * TextBlock's text and a FactSet's facts read Markdown in Teams, so they carry
 * only our own words (headings, labels); every value sits in a TextRun of a
 * RichTextBlock, which the schema renders as plain text ("Markdown is not
 * supported"). The one template a TextRun still expands, `{{DATE(...)}}` and
 * `{{TIME(...)}}`, is broken with a zero-width space between the braces.
 */
export function teamsMessage(notification: Notification, maxDevices: number): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body: bodyOf(notification, maxDevices),
        },
      },
    ],
  };
}

type Element = Record<string, unknown>;

function bodyOf(n: Notification, maxDevices: number): Element[] {
  switch (n.kind) {
    case 'run-ended': {
      const shown = n.devices.slice(0, maxDevices);
      const more = n.devices.length - shown.length;
      return [
        heading('MDE Live Response: run ended'),
        ...runFields(n.run),
        ...shown.flatMap(deviceFields),
        ...(more > 0 ? [field('More', `${more} more device(s): GET /api/runs/${n.run.runId}`)] : []),
        ...n.run.refused.slice(0, maxDevices).map((r) => field('Refused', `${r.deviceId}: ${r.reason}`)),
      ];
    }
    case 'action-failed':
      return [heading(`MDE Live Response: device action ${n.failure}`), ...runFields(n.run), ...deviceFields(n.device)];
    case 'dead-lettered':
      return [
        heading('MDE Live Response: message dead-lettered'),
        field('Queue', n.queue),
        field('Reason', n.reason),
        field('Description', n.description),
        ...(n.originalMessageId === undefined ? [] : [field('Message', n.originalMessageId)]),
        field('Next', 'npm run deadletters -- list, fix the cause, then replay'),
      ];
  }
}

function runFields(run: RunNote): Element[] {
  return [field('Run', run.runId), field('Playbook', `${run.playbook.name}@${run.playbook.version}`), field('Trigger', triggerText(run))];
}

function triggerText(run: RunNote): string {
  const t = run.trigger;
  if (t.kind === 'alert') return `alert ${t.alertId}${t.alertTitle === undefined ? '' : `: ${t.alertTitle}`}`;
  if (t.kind === 'manual') return `manual, by ${t.requestedBy}${t.reason === undefined ? '' : `: ${t.reason}`}`;
  return `schedule of ${t.playbook}`;
}

function deviceFields(device: DeviceNote): Element[] {
  const name = device.deviceName === undefined ? device.deviceId : `${device.deviceName} (${device.deviceId})`;
  return [
    field('Device', `${name}: ${outcomeOf(device)}${device.lastError === undefined ? '' : ` (${device.lastError})`}`),
    ...device.evidence.map((e) => field('Evidence', `${e.blobName}, ${e.sizeBytes} bytes, sha256 ${e.sha256}`)),
    ...device.evidenceFailed.map((f) => field('Not collected', `command ${f.commandIndex}: ${f.reason}`)),
  ];
}

function heading(text: string): Element {
  return { type: 'TextBlock', text, weight: 'Bolder', size: 'Medium', wrap: true };
}

/** `Label: value`, the label ours and bold, the value plain text whatever it holds. */
function field(label: string, value: string): Element {
  return {
    type: 'RichTextBlock',
    inlines: [
      { type: 'TextRun', text: `${label}: `, weight: 'Bolder' },
      { type: 'TextRun', text: inert(value) },
    ],
  };
}

/** Breaks `{{` so no date/time template is expanded. */
function inert(text: string): string {
  return text.replaceAll('{{', '{\u200b{');
}
