import { h } from './dom.js';
import { countText, figure } from './figures.js';
import { formatDuration } from './format.js';
import type { NotificationsAtAGlance } from './types.js';

/**
 * The notifications owed (GET /api/status `notifications.owed`): those the
 * notify queue did not take, waiting for the reconcile timer to queue them.
 * None on a healthy responder; any is marked as a problem, with how long the
 * oldest has waited.
 */
export function owedNotificationsView(notifications: NotificationsAtAGlance): HTMLElement {
  const { owed } = notifications;
  const oldest =
    owed.oldestAgeMs === undefined
      ? ''
      : `the oldest owed for ${owed.oldestAgeIs === 'atLeast' ? 'at least ' : ''}${formatDuration(owed.oldestAgeMs)}; `;
  const detail =
    owed.count === 0
      ? 'none: the notify queue took every notification'
      : `${oldest}the reconcile timer queues them at its next firing${owed.countIs === 'atLeast' ? '; the count stopped at its bound' : ''}`;
  return h(
    'dl',
    { class: 'figures', attrs: { 'aria-label': 'Notifications' } },
    figure('Notifications owed', countText(owed), detail, owed.count > 0),
  );
}
