import { api, type DeadLetterFilters } from './api.js';
import { field, h, replace } from './dom.js';
import { formatTime } from './format.js';
import type { Page } from './page.js';
import { capitalise, emptyState, failureState, loadingState } from './states.js';
import type { DeadLetterEntry, DeadLetterListing, DeadLetterReport, QueueName } from './types.js';

const PAGE_SIZE = 25;
/** Every queue, once: a queue added on the server fails the console's type check until it is added here. */
const QUEUES = Object.keys({ alerts: 0, actions: 0, polls: 0, collect: 0, notify: 0 } satisfies Record<QueueName, 0>);

/**
 * Dead letters (Responder.Admin): filtered by queue, source and reason, a
 * page at a time; each one's redacted preview shown as text; the ones ticked
 * replayed or purged with a reason after a confirmation, each outcome shown.
 */
export const deadLettersPage: Page = (root) => {
  let filters: DeadLetterFilters = {};
  /** `after` of the pages before the one shown (the first page has none). */
  const pages: (string | undefined)[] = [undefined];
  let next: string | undefined;
  let left = false;
  const results = h('div', { attrs: { id: 'deadletters-results' } });
  const outcome = h('div', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const previousButton = h('button', { attrs: { type: 'button', disabled: true } }, '← Previous');
  const nextButton = h('button', { attrs: { type: 'button', disabled: true } }, 'Next →');
  const selected = (): string[] =>
    [...results.querySelectorAll<HTMLInputElement>('input[name="dead-letter"]:checked')].map((box) => box.value);

  const load = async (): Promise<void> => {
    replace(results, loadingState());
    const page = await api.listDeadLetters(filters, pages.at(-1), PAGE_SIZE);
    if (left) return;
    if (!page.ok) return replace(results, failureState(page, 'the dead letters'));
    next = page.value.next;
    nextButton.disabled = next === undefined;
    previousButton.disabled = pages.length <= 1;
    replace(results, listingView(page.value));
  };
  previousButton.addEventListener('click', () => {
    pages.pop();
    void load();
  });
  nextButton.addEventListener('click', () => {
    if (next === undefined) return;
    pages.push(next);
    void load();
  });

  replace(
    root,
    h('h1', {}, 'Dead letters'),
    filterForm((chosen) => {
      filters = chosen;
      pages.splice(1);
      replace(outcome);
      void load();
    }),
    results,
    h('nav', { class: 'pager', attrs: { 'aria-label': 'Pages of dead letters' } }, previousButton, nextButton),
    actionForm(selected, outcome, () => void load()),
    outcome,
  );
  void load();
  return () => (left = true);
};

function filterForm(apply: (filters: DeadLetterFilters) => void): HTMLFormElement {
  const queue = h('select', { attrs: { name: 'queue' } }, h('option', { attrs: { value: '' } }, 'any queue'));
  for (const q of QUEUES) queue.append(h('option', { attrs: { value: q } }, q));
  const source = h(
    'select',
    { attrs: { name: 'source' } },
    h('option', { attrs: { value: '' } }, 'any source'),
    h('option', { attrs: { value: 'poison' } }, 'poison (refused by the responder)'),
    h('option', { attrs: { value: 'native' } }, 'native (Service Bus’s own)'),
  );
  const reason = h('input', {
    attrs: { name: 'deadLetterReason', type: 'text', maxlength: 200, autocomplete: 'off', spellcheck: 'false' },
  });
  const form = h(
    'form',
    { class: 'filters', attrs: { 'aria-label': 'Filter dead letters' } },
    field('Queue', queue),
    field('Source', source),
    field('Dead-letter reason', reason, 'e.g. MalformedMessage (any case)'),
    h('div', { class: 'actions' }, h('button', { attrs: { type: 'submit' } }, 'Apply filters')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply({ queues: queue.value, source: source.value, deadLetterReason: reason.value.trim() });
  });
  return form;
}

function listingView(listing: DeadLetterListing): HTMLElement {
  return h(
    'div',
    {},
    listing.entries.length === 0 ? emptyState('No dead letters match.') : null,
    ...listing.entries.map(entryView),
    listing.scanLimitReached
      ? h(
          'p',
          { class: 'muted' },
          'A dead-letter queue held more than the scan bound (DEADLETTER_SCAN_MAX): entries past it were not read.',
        )
      : null,
  );
}

function entryView(entry: DeadLetterEntry): HTMLElement {
  const box = h('input', { attrs: { type: 'checkbox', name: 'dead-letter', value: entry.id } });
  return h(
    'article',
    { class: 'dead-letter', attrs: { 'data-id': entry.id } },
    field(`Select ${entry.queue} ${entry.reason} (${entry.messageId})`, box),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Queue'),
      h('dd', {}, `${entry.queue} (${entry.source})`),
      h('dt', {}, 'Reason'),
      h('dd', { class: 'reason' }, entry.reason),
      h('dt', {}, 'Description'),
      h('dd', { class: 'description' }, entry.description),
      h('dt', {}, 'Message'),
      h('dd', {}, h('code', {}, entry.messageId), entry.originalMessageId ? ` (originally ${entry.originalMessageId})` : ''),
      h('dt', {}, 'Dead-lettered'),
      h('dd', {}, formatTime(new Date(entry.firstSeenMs).toISOString())),
      entry.deliveryCount === undefined ? null : h('dt', {}, 'Deliveries'),
      entry.deliveryCount === undefined ? null : h('dd', {}, entry.deliveryCount),
    ),
    h(
      'details',
      {},
      h('summary', {}, `Preview (redacted${entry.previewTruncated ? ', cut short' : ''})`),
      h('pre', { class: 'preview' }, entry.preview),
    ),
  );
}

/** Replay or purge the ticked dead letters: a reason, then a confirmation naming how many and what is done, then each outcome. */
function actionForm(selected: () => string[], outcome: HTMLElement, reload: () => void): HTMLElement {
  const reason = h('textarea', { attrs: { name: 'reason', required: true, maxlength: 500, rows: 2 } });
  const confirmBox = h('div', { class: 'confirm' });
  const ask = (verb: 'replay' | 'purge'): void => {
    const ids = selected();
    if (ids.length === 0)
      return replace(confirmBox, h('p', { class: 'state problem', attrs: { role: 'alert' } }, 'Tick one or more first.'));
    if (!form.reportValidity()) return;
    const what = verb === 'replay' ? 'send back to their queues' : 'remove for good';
    const confirm = h('button', { attrs: { type: 'button' }, class: 'danger' }, `Confirm: ${verb} ${ids.length}`);
    const back = h('button', { attrs: { type: 'button' } }, 'Not yet');
    back.addEventListener('click', () => replace(confirmBox));
    confirm.addEventListener('click', () => {
      confirm.disabled = true;
      void api.actOnDeadLetters(verb, { ids, reason: reason.value.trim() }).then((report) => {
        replace(confirmBox);
        if (!report.ok) return replace(outcome, failureState(report, `the ${verb}`));
        replace(outcome, reportView(report.value));
        reload();
      });
    });
    replace(confirmBox, h('p', {}, `${capitalise(verb)} ${ids.length} dead letter(s): ${what}?`), confirm, ' ', back);
    confirm.focus();
  };
  const replay = h('button', { attrs: { type: 'button' } }, 'Replay selected…');
  const purge = h('button', { attrs: { type: 'button' }, class: 'danger' }, 'Purge selected…');
  replay.addEventListener('click', () => ask('replay'));
  purge.addEventListener('click', () => ask('purge'));
  const form = h(
    'form',
    { class: 'dead-letter-actions', attrs: { 'aria-label': 'Replay or purge' } },
    field('Why (a ticket or the fix)', reason, 'Recorded with your name in the audit log.'),
    h('div', { class: 'actions' }, replay, purge),
    confirmBox,
  );
  form.addEventListener('submit', (event) => event.preventDefault());
  return form;
}

function reportView(report: DeadLetterReport): HTMLElement {
  const c = report.counts;
  return h(
    'div',
    { class: 'report' },
    h('p', {}, `${c.replayed} replayed, ${c.purged} purged, ${c['not-found']} not found, ${c.refused} refused.`),
    h(
      'ul',
      {},
      ...report.outcomes.map((o) =>
        h(
          'li',
          { attrs: { 'data-outcome': o.outcome } },
          h('code', {}, o.id),
          `: ${o.outcome}`,
          o.outcome === 'replayed' ? ` as ${o.replayMessageId}` : o.outcome === 'refused' ? ` (${o.detail})` : '',
        ),
      ),
    ),
  );
}
