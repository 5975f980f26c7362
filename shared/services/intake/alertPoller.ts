import { createHash } from 'node:crypto';
import { toMs } from '../../alerts/alert.js';
import type { PollCursor, WatermarkStore } from '../../alerts/watermarkStore.js';
import type { MessageBus } from '../../bus/port.js';
import type { Clock } from '../../clock.js';
import { casRetry, conflict, settled } from '../../concurrency/casRetry.js';
import type { Config } from '../../config.js';
import type { AlertFeed } from '../../defender/port.js';
import type { Logger } from '../../log.js';

export type AlertPollOutcome =
  { kind: 'disabled' } | { kind: 'polled'; fetched: number; enqueued: number; skipped: number; truncated: boolean; watermarkMs: number };

export interface AlertPollerDeps {
  config: Readonly<Config>;
  clock: Clock;
  logger: Logger;
  bus: MessageBus;
  feed: AlertFeed;
  watermarks: WatermarkStore;
}

export const WATERMARK_NAME = 'defender-alerts';
/** Recent keys kept in the cursor; past this, the oldest are dropped (a repeat is then only re-enqueued, never lost). */
const MAX_RECENT = 300;

/**
 * The optional alert poller: reads the alerts updated since the stored
 * watermark (`GET /api/alerts?$expand=evidence&$filter=lastUpdateTime gt
 * ...`, re-reading `overlapMs` before it for late-indexed alerts), puts each
 * alert it has not enqueued yet on the alerts queue with a deterministic
 * messageId (alert id + last update), then moves the watermark forward. It
 * sends before it saves: a crash in between re-sends, which the queue's
 * duplicate detection and the run ids absorb.
 */
export async function pollAlerts(deps: AlertPollerDeps): Promise<AlertPollOutcome> {
  const settings = deps.config.alertPoller;
  if (!settings.schedule) return { kind: 'disabled' };
  const stored = await deps.watermarks.load(WATERMARK_NAME);
  const cursor: PollCursor = stored?.value ?? { watermarkMs: deps.clock.nowMs() - settings.lookbackMs, recent: {} };
  const fromMs = cursor.watermarkMs - settings.overlapMs;
  let fetched = 0;
  let enqueued = 0;
  let skipped = 0;
  let truncated = false;
  let watermarkMs = cursor.watermarkMs;
  const recent = { ...cursor.recent };
  for (let page = 0; ; page++) {
    if (page >= settings.maxPages) {
      truncated = true;
      break;
    }
    const alerts = await deps.feed.listAlerts({ updatedAfterMs: fromMs, top: settings.pageSize, skip: page * settings.pageSize });
    fetched += alerts.length;
    for (const alert of alerts) {
      const { id, updatedMs } = identify(alert);
      const key = `${id}|${updatedMs ?? 'unknown'}`;
      if (recent[key] !== undefined) {
        skipped += 1;
        continue;
      }
      await deps.bus.send('alerts', {
        body: alert,
        messageId: `alert-poll.${createHash('sha256').update(key).digest('hex').slice(0, 32)}`,
        properties: { source: 'alert-poller', alertId: id.slice(0, 256) },
      });
      enqueued += 1;
      if (updatedMs !== undefined) {
        recent[key] = updatedMs;
        watermarkMs = Math.max(watermarkMs, updatedMs);
      }
    }
    if (alerts.length < settings.pageSize) break;
  }
  if (truncated) {
    deps.logger.log(
      'error',
      'alert poller read its maximum pages; alerts beyond them may be missed until ALERT_POLL_MAX_PAGES or ALERT_POLL_PAGE_SIZE is raised',
      { fetched, maxPages: settings.maxPages },
    );
  }
  const next = { watermarkMs, recent: prune(recent, watermarkMs - settings.overlapMs) };
  await saveForward(deps.watermarks, next, stored?.etag, stored === undefined);
  deps.logger.log('info', 'alert poll done', { fetched, enqueued, skipped, watermark: new Date(watermarkMs).toISOString() });
  return { kind: 'polled', fetched, enqueued, skipped, truncated, watermarkMs };
}

/** The id and last update of an alert object, as far as they can be read (a malformed one is still enqueued: the intake dead-letters it with its reason). */
function identify(alert: unknown): { id: string; updatedMs?: number } {
  const record = typeof alert === 'object' && alert !== null ? (alert as Record<string, unknown>) : {};
  const id =
    typeof record.id === 'string'
      ? record.id
      : `unidentified-${createHash('sha256')
          .update(JSON.stringify(alert) ?? '')
          .digest('hex')
          .slice(0, 16)}`;
  const updated =
    typeof record.lastUpdateTime === 'string'
      ? record.lastUpdateTime
      : typeof record.lastUpdateDateTime === 'string'
        ? record.lastUpdateDateTime
        : undefined;
  return { id, updatedMs: toMs(updated) };
}

function prune(recent: Record<string, number>, keepFromMs: number): Record<string, number> {
  const kept = Object.entries(recent)
    .filter(([, ms]) => ms >= keepFromMs)
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_RECENT);
  return Object.fromEntries(kept);
}

/** Saves the cursor; if another poller saved first, keeps whichever watermark is further on. */
async function saveForward(store: WatermarkStore, cursor: PollCursor, etag: string | undefined, isNew: boolean): Promise<void> {
  let currentEtag = isNew ? undefined : etag;
  let next = cursor;
  await casRetry('alert poller watermark', async () => {
    if ((await store.save(WATERMARK_NAME, next, currentEtag)) === 'ok') return settled(undefined);
    const theirs = await store.load(WATERMARK_NAME);
    if (!theirs) {
      currentEtag = undefined;
      return conflict;
    }
    if (theirs.value.watermarkMs >= next.watermarkMs) return settled(undefined);
    next = { watermarkMs: next.watermarkMs, recent: { ...theirs.value.recent, ...next.recent } };
    currentEtag = theirs.etag;
    return conflict;
  });
}
