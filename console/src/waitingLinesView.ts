import { h } from './dom.js';
import { formatTime } from './format.js';
import type { WaitingLinesAtAGlance } from './types.js';

/**
 * The devices' waiting lines (GET /api/status `pacing.waitingLines`): the
 * longest lines by device, each with its runs waiting against the line's
 * bound and when its first waiter's fallback comes back. Device ids are
 * shown as text.
 */
export function waitingLinesView(lines: WaitingLinesAtAGlance): HTMLElement {
  const more = lines.devices - lines.longest.length;
  return h(
    'section',
    { class: 'waiting-lines', attrs: { 'aria-label': 'Waiting lines' } },
    h('h2', {}, 'Longest waiting lines'),
    lines.longest.length === 0
      ? h('p', { class: 'muted' }, 'No run is waiting for a device another of our runs holds.')
      : linesTable(lines),
    more > 0 ? h('p', { class: 'muted' }, `${more} more device(s) have a shorter line.`) : null,
  );
}

function linesTable(lines: WaitingLinesAtAGlance): HTMLElement {
  const row = (line: WaitingLinesAtAGlance['longest'][number]): HTMLElement => {
    const full = line.waiters >= lines.perDeviceLimit;
    return h(
      'tr',
      { attrs: { 'data-device-id': line.deviceId } },
      h('th', { attrs: { scope: 'row' } }, h('code', {}, line.deviceId)),
      h(
        'td',
        { attrs: { 'data-label': 'Runs waiting' }, class: full ? 'error-text' : undefined },
        `${line.waiters} of ${lines.perDeviceLimit}${full ? ' (full: more runs retry instead of joining)' : ''}`,
      ),
      h('td', { attrs: { 'data-label': 'First waiter’s fallback' } }, formatTime(line.firstWaiterFallback)),
    );
  };
  return h(
    'table',
    { class: 'waiting-lines' },
    h('caption', { class: 'visually-hidden' }, 'Longest waiting lines'),
    h(
      'thead',
      {},
      h('tr', {}, ...['Device', 'Runs waiting', 'First waiter’s fallback'].map((c) => h('th', { attrs: { scope: 'col' } }, c))),
    ),
    h('tbody', {}, ...lines.longest.map(row)),
  );
}
