import { api } from './api.js';
import { copyButton, h } from './dom.js';
import { commandText, formatBytes, formatTime } from './format.js';
import { failureState, holds } from './states.js';
import type { Caller, DeviceStatus, EvidenceStatus } from './types.js';

/** Where a device is, in words an analyst reads: the responder's state and, once sent, Defender's. */
export function deviceStage(device: DeviceStatus): string {
  switch (device.state) {
    case 'queued':
      return 'Queued: waiting for a send slot';
    case 'submitting':
      return 'Sending to Defender';
    case 'submitted':
      return device.actionStatus === 'Pending' ? 'Pending (device offline or not yet picked up)' : (device.actionStatus ?? 'Sent');
    case 'ended':
      return device.actionStatus === 'TimeOut' ? 'Expired (TimeOut)' : (device.actionStatus ?? 'Ended');
    case 'rejected':
      return 'Rejected by Defender';
    case 'cancelled':
      return 'Cancelled before it was sent';
  }
}

/** One device of a run: its timeline, its cancel control (when given), the commands exactly as sent with each outcome, and its evidence. */
export function deviceView(runId: string, device: DeviceStatus, caller: Caller, cancel: HTMLElement | null = null): HTMLElement {
  const stage = deviceStage(device);
  return h(
    'section',
    { class: 'device', attrs: { 'data-device-id': device.deviceId, 'aria-label': `Device ${device.deviceName ?? device.deviceId}` } },
    h('h3', {}, device.deviceName ?? 'Device', ' ', h('small', {}, h('code', {}, device.deviceId))),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'State'),
      h(
        'dd',
        {},
        h(
          'span',
          { class: `stage ${device.actionStatus ?? device.state}`, attrs: { 'data-stage': device.actionStatus ?? device.state } },
          stage,
        ),
      ),
      h('dt', {}, 'Queued'),
      h('dd', {}, formatTime(device.queuedAt)),
      h('dt', {}, 'Sent'),
      h('dd', {}, formatTime(device.submittedAt)),
      h('dt', {}, 'Ended'),
      h('dd', {}, formatTime(device.endedAt)),
      device.actionId ? h('dt', {}, 'Defender action') : null,
      device.actionId ? h('dd', {}, h('code', {}, device.actionId)) : null,
      device.lastError ? h('dt', {}, 'Last error') : null,
      device.lastError ? h('dd', { class: 'error-text' }, device.lastError) : null,
      device.cancelledBy ? h('dt', {}, 'Cancelled by') : null,
      device.cancelledBy ? h('dd', {}, device.cancelledBy, device.cancelReason ? `: ${device.cancelReason}` : '') : null,
    ),
    cancel,
    commandsTable(device),
    evidenceView(runId, device, caller),
  );
}

function commandsTable(device: DeviceStatus): HTMLElement {
  return h(
    'table',
    { class: 'commands' },
    h('caption', {}, 'Commands, exactly as sent'),
    h('thead', {}, h('tr', {}, ...['#', 'Command', 'Outcome', 'Started', 'Ended'].map((c) => h('th', { attrs: { scope: 'col' } }, c)))),
    h(
      'tbody',
      {},
      ...device.commands.map((command, index) => {
        const outcome = device.commandOutcomes.find((o) => o.index === index);
        return h(
          'tr',
          {},
          h('td', { attrs: { 'data-label': '#' } }, index),
          h('td', { attrs: { 'data-label': 'Command' } }, h('code', {}, commandText(command))),
          h(
            'td',
            { attrs: { 'data-label': 'Outcome' } },
            outcome?.commandStatus ?? '—',
            ...(outcome?.errors ?? []).map((e) => h('div', { class: 'error-text' }, e)),
          ),
          h('td', { attrs: { 'data-label': 'Started' } }, formatTime(outcome?.startTime)),
          h('td', { attrs: { 'data-label': 'Ended' } }, formatTime(outcome?.endTime)),
        );
      }),
    ),
  );
}

function evidenceView(runId: string, device: DeviceStatus, caller: Caller): HTMLElement {
  const mayDownload = holds(caller.roles, 'Responder.Evidence');
  return h(
    'div',
    { class: 'evidence' },
    h('h4', {}, 'Evidence'),
    device.evidence.length === 0 && device.evidencePending.length === 0 && device.evidenceFailed.length === 0
      ? h('p', { class: 'muted' }, 'Nothing collected from this device.')
      : null,
    device.evidencePending.length > 0
      ? h('p', { class: 'muted' }, `Waiting for the result of command(s) ${device.evidencePending.join(', ')}.`)
      : null,
    ...device.evidenceFailed.map((f) => h('p', { class: 'error-text' }, `Command ${f.commandIndex} could not be collected: ${f.reason}`)),
    ...device.evidence.map((item) => evidenceItem(runId, item, mayDownload)),
  );
}

function evidenceItem(runId: string, item: EvidenceStatus, mayDownload: boolean): HTMLElement {
  const status = h('div', { attrs: { role: 'status' } });
  const download = mayDownload ? h('button', { attrs: { type: 'button' }, class: 'download' }, 'Download') : null;
  download?.addEventListener('click', () => {
    status.replaceChildren('Asking for a download link…');
    void api.evidenceLink(runId, item.blobName).then((link) => {
      if (!link.ok) return status.replaceChildren(failureState(link, 'evidence download'));
      if (!/^https?:\/\//.test(link.value.url))
        return status.replaceChildren('The server answered a link that is not http(s); not opened.');
      status.replaceChildren(`Link valid until ${formatTime(link.value.expiresAt)}.`);
      window.location.assign(link.value.url);
    });
  });
  const transcript = item.transcript;
  return h(
    'article',
    { class: 'evidence-item' },
    h('p', {}, `Command ${item.commandIndex} (${item.commandType}): `, h('code', { class: 'blob' }, item.blobName)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Size'),
      h('dd', {}, formatBytes(item.sizeBytes)),
      h('dt', {}, 'SHA-256'),
      h('dd', {}, h('code', { class: 'sha256' }, item.sha256), ' ', copyButton(item.sha256, 'SHA-256')),
      item.originalSha256 ? h('dt', {}, 'Original SHA-256') : null,
      item.originalSha256
        ? h(
            'dd',
            {},
            h('code', {}, item.originalSha256),
            item.originalSizeBytes === undefined
              ? ''
              : ` (${formatBytes(item.originalSizeBytes)} before ${item.contentEncoding ?? 'encoding'})`,
            ' ',
            copyButton(item.originalSha256, 'original SHA-256'),
          )
        : null,
    ),
    transcript
      ? h(
          'details',
          { class: 'transcript' },
          h('summary', {}, `Script transcript: exit code ${transcript.exitCode ?? 'unknown'}`),
          h('p', {}, `Output (${transcript.outputChars} characters, preview):`),
          h('pre', {}, transcript.outputPreview),
          h('p', {}, `Errors (${transcript.errorsChars} characters, preview):`),
          h('pre', {}, transcript.errorsPreview),
          transcript.note ? h('p', { class: 'muted' }, transcript.note) : null,
        )
      : null,
    download,
    status,
  );
}
