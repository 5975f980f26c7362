import { api } from './api.js';
import { callsChart } from './callsChart.js';
import { h, replace } from './dom.js';
import { countText, figure } from './figures.js';
import { formatDuration, formatTime } from './format.js';
import { owedNotificationsView } from './owedNotificationsView.js';
import type { Page } from './page.js';
import { startPolling } from './poller.js';
import { failureState, loadingState } from './states.js';
import type { PacingAtAGlance, QueueAtAGlance, ResponderStatus, Unavailable, WaitingLinesAtAGlance } from './types.js';
import { waitingLinesView } from './waitingLinesView.js';

const REFRESH_MS = 5_000;

/** Pacing at a glance (GET /api/status): the tenant's calls, sessions, waiting devices and lines, budget and penalty, each queue, and the notifications owed; refreshed every few seconds. */
export const pacingPage: Page = (root) => {
  const body = h('div', {}, loadingState());
  const updated = h('p', { class: 'muted', attrs: { role: 'status', 'aria-live': 'polite' } });
  replace(root, h('h1', {}, 'Pacing at a glance'), updated, body);
  return startPolling(async () => {
    const status = await api.status();
    if (!status.ok) {
      replace(body, failureState(status, 'the pacing status'));
      return status.kind === 'failed';
    }
    replace(body, statusView(status.value));
    updated.textContent = `As of ${formatTime(status.value.at)}; refreshed every ${REFRESH_MS / 1000} s.`;
    return true;
  }, REFRESH_MS);
};

const isUnavailable = (part: object): part is Unavailable => 'unavailable' in part;

function statusView(status: ResponderStatus): HTMLElement {
  return h(
    'div',
    {},
    isUnavailable(status.pacing) ? unavailable('The pacing record', status.pacing) : pacingView(status.pacing),
    h('h2', {}, 'Queues'),
    queuesTable(status.queues),
    h('p', { class: 'muted' }, 'Counts marked ≈ are the service’s estimate; ≥ means the look stopped at its bound and there may be more.'),
    h('h2', {}, 'Notifications'),
    isUnavailable(status.notifications)
      ? unavailable('The owed notifications', status.notifications)
      : owedNotificationsView(status.notifications),
  );
}

function unavailable(what: string, part: Unavailable): HTMLElement {
  return h('div', { class: 'state problem', attrs: { role: 'alert' } }, h('p', {}, `${what} could not be read: ${part.unavailable}`));
}

function pacingView(pacing: PacingAtAGlance): HTMLElement {
  const live = pacing.liveResponse;
  const lowered = live.limitInForce < live.limit;
  const budget = pacing.statusBudget;
  return h(
    'section',
    { attrs: { 'aria-label': 'Pacing' } },
    h(
      'dl',
      { class: 'figures' },
      figure(
        'Calls in the last minute',
        `${live.callsInWindow} of ${live.limitInForce}`,
        lowered
          ? `lowered from ${live.limit} after a 429${live.ceilingHoldsUntil ? ` until ${formatTime(live.ceilingHoldsUntil)}` : ''}`
          : `limit ${live.limit} per ${formatDuration(live.windowMs)}`,
        lowered,
      ),
      figure('Sessions in use', `${pacing.sessions.inUse} of ${pacing.sessions.limit}`),
      figure(
        'Devices waiting for a send slot',
        String(pacing.devices.waiting),
        `next free slot ${formatTime(live.nextFreeSlot)}; ${live.reservedSlots} slot(s) booked; ${pacing.devices.backingOff} device(s) busy elsewhere, backing off`,
      ),
      linesFigure(pacing.waitingLines),
      figure(
        'Status budget left',
        `${budget.lastMinute.left} this minute, ${budget.lastHour.left} this hour`,
        `of ${budget.lastMinute.limit} a minute and ${budget.lastHour.limit} an hour`,
      ),
      pacing.penalty.inForce
        ? figure('429 penalty', 'In force', `no call before ${formatTime(pacing.penalty.until)}`, true)
        : figure('429 penalty', 'None'),
    ),
    h('h2', {}, 'Calls per minute, last hour'),
    h('figure', { class: 'chart' }, callsChart(live.perMinute, live.limitInForce), h('figcaption', { class: 'muted' }, chartCaption(live))),
    waitingLinesView(pacing.waitingLines),
  );
}

function linesFigure(lines: WaitingLinesAtAGlance): HTMLElement {
  const full = lines.waiters >= lines.waitersLimit;
  return figure(
    'Runs in waiting lines',
    `${lines.waiters} of ${lines.waitersLimit}`,
    `for ${lines.devices} device(s) another of our runs holds; at most ${lines.perDeviceLimit} a device${full ? '; full: more runs retry instead of joining' : ''}`,
    full,
  );
}

function chartCaption(live: PacingAtAGlance['liveResponse']): string {
  const first = live.perMinute[0]?.minuteStart;
  const last = live.perMinute.at(-1)?.minuteStart;
  return first && last
    ? `runliveresponse calls admitted each minute from ${formatTime(first)} to ${formatTime(last)}; the line is the limit in force.`
    : 'No minutes recorded.';
}

function queuesTable(queues: ResponderStatus['queues']): HTMLElement {
  const row = (name: string, look: QueueAtAGlance | Unavailable): HTMLElement => {
    const cells = isUnavailable(look)
      ? [h('td', { attrs: { colspan: 3, 'data-label': 'State' }, class: 'error-text' }, `unavailable: ${look.unavailable}`)]
      : [
          h('td', { attrs: { 'data-label': 'Messages' } }, countText(look.messages)),
          h(
            'td',
            { attrs: { 'data-label': 'Oldest waiting' } },
            look.messages.oldestReadyAgeMs === undefined
              ? 'none ready'
              : `${look.messages.oldestReadyAgeIs === 'atLeast' ? '≥ ' : ''}${formatDuration(look.messages.oldestReadyAgeMs)}`,
          ),
          h(
            'td',
            { attrs: { 'data-label': 'Dead letters' } },
            countText(look.deadLetters.poison),
            ' poison',
            look.deadLetters.native ? h('span', {}, ', ', countText(look.deadLetters.native), ' in $DeadLetterQueue') : null,
          ),
        ];
    return h('tr', { attrs: { 'data-queue': name } }, h('th', { attrs: { scope: 'row' } }, name), ...cells);
  };
  return h(
    'table',
    { class: 'queues' },
    h('caption', { class: 'visually-hidden' }, 'Queues'),
    h(
      'thead',
      {},
      h('tr', {}, ...['Queue', 'Messages', 'Oldest waiting', 'Dead letters'].map((c) => h('th', { attrs: { scope: 'col' } }, c))),
    ),
    h('tbody', {}, ...Object.entries(queues).map(([name, look]) => row(name, look))),
  );
}
