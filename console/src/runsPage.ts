import { api, type RunFilters } from './api.js';
import { field, h, replace } from './dom.js';
import { formatTime } from './format.js';
import type { Page } from './page.js';
import { startPolling } from './poller.js';
import { emptyState, failureState, loadingState } from './states.js';
import { playbookView, summaryTrigger, triggerView } from './trigger.js';
import type { RunList } from './types.js';

const REFRESH_MS = 3_000;
const PAGE_SIZE = 25;

/**
 * Runs, newest first, filtered by status, playbook, device and trigger, a
 * page at a time (the API's continuation token); the page shown is asked for
 * again every few seconds, so phases change in place without a reload.
 */
export const runsPage: Page = (root) => {
  const filters: RunFilters = {};
  /** Tokens of the pages before the one shown (the first page has none). */
  const tokens: (string | undefined)[] = [undefined];
  let next: string | undefined;
  /** What the table shows now: redrawn only when it changes, so focus and selection stay put between refreshes. */
  let shown = '';
  const results = h('div', { attrs: { id: 'runs-results' } }, loadingState());
  const updated = h('p', { class: 'muted', attrs: { role: 'status', 'aria-live': 'polite' } });
  const previousButton = h('button', { attrs: { type: 'button', disabled: true } }, '← Newer runs');
  const nextButton = h('button', { attrs: { type: 'button', disabled: true } }, 'Older runs →');

  const refresh = async (): Promise<boolean> => {
    const page = await api.listRuns(filters, tokens.at(-1), PAGE_SIZE);
    if (!page.ok) {
      shown = '';
      replace(results, failureState(page, 'the runs'));
      return page.kind === 'failed';
    }
    next = page.value.continuationToken;
    nextButton.disabled = next === undefined;
    previousButton.disabled = tokens.length <= 1;
    const json = JSON.stringify(page.value);
    if (json !== shown) replace(results, runsTable(page.value));
    shown = json;
    updated.textContent = `Updated ${formatTime(new Date().toISOString())}; refreshed every ${REFRESH_MS / 1000} s.`;
    return true;
  };
  let stop = startPolling(refresh, REFRESH_MS);
  const restart = (): void => {
    stop();
    shown = '';
    replace(results, loadingState());
    stop = startPolling(refresh, REFRESH_MS);
  };
  previousButton.addEventListener('click', () => {
    tokens.pop();
    restart();
  });
  nextButton.addEventListener('click', () => {
    if (next === undefined) return;
    tokens.push(next);
    restart();
  });

  const form = filterForm((chosen) => {
    Object.assign(filters, { status: '', playbook: '', device: '', trigger: '' }, chosen);
    tokens.splice(1);
    restart();
  });
  replace(
    root,
    h('h1', {}, 'Runs'),
    form,
    updated,
    results,
    h('nav', { class: 'pager', attrs: { 'aria-label': 'Pages of runs' } }, previousButton, nextButton),
  );
  return () => stop();
};

function filterForm(apply: (filters: RunFilters) => void): HTMLFormElement {
  const status = select('status', ['', 'queued', 'running', 'collecting', 'ended'], 'any status');
  const trigger = select('trigger', ['', 'alert', 'manual', 'schedule'], 'any trigger');
  const playbook = select('playbook', [''], 'any playbook');
  void api.listPlaybooks().then((list) => {
    if (list.ok) for (const p of list.value.playbooks) playbook.append(h('option', { attrs: { value: p.name } }, p.name));
  });
  const device = h('input', {
    attrs: {
      name: 'device',
      type: 'text',
      inputmode: 'text',
      autocomplete: 'off',
      spellcheck: 'false',
      pattern: '[0-9a-fA-F]{40}',
      size: 42,
    },
  });
  const form = h(
    'form',
    { class: 'filters', attrs: { 'aria-label': 'Filter runs' } },
    field('Status', status),
    field('Playbook', playbook),
    field('Device id', device, '40 hex digits'),
    field('Trigger', trigger),
    h('div', { class: 'actions' }, h('button', { attrs: { type: 'submit' } }, 'Apply filters')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    apply({ status: status.value, playbook: playbook.value, device: device.value.trim(), trigger: trigger.value });
  });
  return form;
}

function select(name: string, values: string[], anyLabel: string): HTMLSelectElement {
  return h('select', { attrs: { name } }, ...values.map((v) => h('option', { attrs: { value: v } }, v === '' ? anyLabel : v)));
}

function runsTable(list: RunList): HTMLElement {
  if (list.runs.length === 0) return emptyState(list.note ?? 'No runs match.');
  const rows = list.runs.map((run) =>
    h(
      'tr',
      { attrs: { 'data-run-id': run.runId } },
      h('td', { attrs: { 'data-label': 'Created' } }, formatTime(run.created)),
      h('td', { attrs: { 'data-label': 'Phase' } }, h('span', { class: `phase ${run.phase}` }, run.phase)),
      h('td', { attrs: { 'data-label': 'Trigger' } }, triggerView(summaryTrigger(run))),
      h('td', { attrs: { 'data-label': 'Playbook' } }, playbookView(run.playbook)),
      h('td', { attrs: { 'data-label': 'Devices' } }, run.deviceCount),
      h('td', { attrs: { 'data-label': 'Run' } }, h('a', { attrs: { href: `#/runs/${encodeURIComponent(run.runId)}` } }, run.runId)),
    ),
  );
  return h(
    'div',
    {},
    h(
      'table',
      { class: 'runs' },
      h('caption', { class: 'visually-hidden' }, 'Runs, newest first'),
      h(
        'thead',
        {},
        h('tr', {}, ...['Created', 'Phase', 'Trigger', 'Playbook', 'Devices', 'Run'].map((c) => h('th', { attrs: { scope: 'col' } }, c))),
      ),
      h('tbody', {}, ...rows),
    ),
    list.note ? h('p', { class: 'muted' }, list.note) : null,
  );
}
