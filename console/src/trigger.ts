import { h } from './dom.js';
import { defenderAlertUrl, formatTime, shortHash } from './format.js';
import type { PlaybookRef, RunSummary, Trigger } from './types.js';

/** A trigger as a page knows it (a run list does not carry a schedule's firing time). */
export type ShownTrigger = Exclude<Trigger, { kind: 'schedule' }> | { kind: 'schedule'; playbook: string; firedAtMs?: number };

/** The trigger of a run in the list. */
export function summaryTrigger(run: RunSummary): ShownTrigger {
  if (run.trigger === 'alert') return { kind: 'alert', alertId: run.triggeredBy, alertTitle: run.alertTitle };
  if (run.trigger === 'manual') return { kind: 'manual', requestedBy: run.triggeredBy, reason: run.reason };
  return { kind: 'schedule', playbook: run.triggeredBy };
}

/**
 * What started a run: the alert's title (as text) with a link to the alert in
 * the Defender portal, who asked for a manual run and why, or the schedule.
 */
export function triggerView(trigger: ShownTrigger): HTMLElement {
  switch (trigger.kind) {
    case 'alert': {
      const url = defenderAlertUrl(trigger.alertId);
      return h(
        'span',
        { class: 'trigger alert' },
        h('span', { class: 'kind' }, 'Alert'),
        ' ',
        h('span', { class: 'title' }, trigger.alertTitle ?? '(no title)'),
        ' ',
        url
          ? h('a', { attrs: { href: url, target: '_blank', rel: 'noopener noreferrer' } }, `open alert ${trigger.alertId} in Defender`)
          : h('span', { class: 'muted' }, `alert ${trigger.alertId}`),
      );
    }
    case 'manual':
      return h(
        'span',
        { class: 'trigger manual' },
        h('span', { class: 'kind' }, 'Manual'),
        ' by ',
        h('span', { class: 'who' }, trigger.requestedBy),
        trigger.reason ? ': ' : '',
        trigger.reason ? h('span', { class: 'reason' }, trigger.reason) : null,
      );
    case 'schedule':
      return h(
        'span',
        { class: 'trigger schedule' },
        h('span', { class: 'kind' }, 'Schedule'),
        ` of ${trigger.playbook}`,
        trigger.firedAtMs === undefined ? '' : `, fired ${formatTime(new Date(trigger.firedAtMs).toISOString())}`,
      );
  }
}

/** A playbook as name@version with its content hash (the full hash on hover and for screen readers). */
export function playbookView(playbook: PlaybookRef): HTMLElement {
  return h(
    'span',
    { class: 'playbook' },
    `${playbook.name}@${playbook.version} `,
    h(
      'code',
      { attrs: { title: `SHA-256 ${playbook.contentSha256}`, 'aria-label': `SHA-256 ${playbook.contentSha256}` } },
      shortHash(playbook.contentSha256),
    ),
  );
}

/** Devices a playbook refused, each with why; nothing when there are none. */
export function refusedView(refused: readonly { deviceId: string; reason: string }[], heading: HTMLElement): HTMLElement | null {
  if (refused.length === 0) return null;
  return h(
    'div',
    { class: 'refused' },
    heading,
    h('ul', {}, ...refused.map((r) => h('li', {}, h('code', {}, r.deviceId), `: ${r.reason}`))),
  );
}
