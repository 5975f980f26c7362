import { api } from './api.js';
import { field, h, replace } from './dom.js';
import { formatTime } from './format.js';
import { emptyState, failureState, loadingState } from './states.js';
import type { DeviceSearchResult, DirectoryDevice } from './types.js';

const PAGE_SIZE = 20;

/**
 * Find devices by name, id or tag in the cached device directory
 * (GET /api/devices) and tick them: each tick or untick is handed to
 * `toggle`, and `ticked` says which are chosen already, so the ids typed by
 * hand and the ones ticked are one list.
 */
export function devicePicker(toggle: (deviceId: string, on: boolean) => void, ticked: (deviceId: string) => boolean): HTMLElement {
  const search = h('input', { attrs: { name: 'device-search', type: 'search', maxlength: 100, autocomplete: 'off', spellcheck: 'false' } });
  const tag = h('input', { attrs: { name: 'device-tag', type: 'text', maxlength: 200, autocomplete: 'off', spellcheck: 'false' } });
  const results = h('div', { class: 'picker-results', attrs: { 'aria-live': 'polite' } });
  const more = h('div');
  let token: string | undefined;

  const row = (device: DirectoryDevice): HTMLElement => {
    const box = h('input', { attrs: { type: 'checkbox', name: 'pick-device', value: device.id, checked: ticked(device.id) } });
    box.addEventListener('change', () => toggle(device.id, box.checked));
    const label = `${device.name ?? 'unnamed device'} (${device.id})`;
    return h(
      'li',
      { attrs: { 'data-device-id': device.id } },
      h('label', {}, box, ' ', device.name ?? 'unnamed device', ' ', h('small', {}, h('code', {}, device.id))),
      device.tags.length > 0
        ? h('small', { class: 'tags', attrs: { 'aria-label': `Tags of ${label}` } }, ` tags: ${device.tags.join(', ')}`)
        : null,
      device.osPlatform ? h('small', { class: 'muted' }, ` ${device.osPlatform}`) : null,
    );
  };
  const show = (page: DeviceSearchResult, list: HTMLElement): void => {
    list.append(...page.devices.map(row));
    token = page.continuationToken;
    if (token === undefined) return replace(more);
    const button = h('button', { attrs: { type: 'button' } }, 'More devices');
    button.addEventListener('click', () => void find(list));
    replace(more, button);
  };
  const find = async (list?: HTMLElement): Promise<void> => {
    const query = { search: search.value.trim(), tag: tag.value.trim() };
    if (!list) replace(results, loadingState());
    const page = await api.searchDevices(query, list ? token : undefined, PAGE_SIZE);
    if (!page.ok) return replace(results, failureState(page, 'the device directory'));
    if (list) return show(page.value, list);
    const fresh = h('ul', { class: 'picker' });
    replace(
      results,
      page.value.devices.length === 0 ? emptyState('No device in the directory matches.') : fresh,
      h('p', { class: 'muted' }, `From the device directory as listed ${formatTime(page.value.refreshedAt)}.`),
    );
    show(page.value, fresh);
  };
  const button = h('button', { attrs: { type: 'button' } }, 'Find devices');
  button.addEventListener('click', () => void find());
  for (const input of [search, tag])
    input.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      void find();
    });
  return h(
    'fieldset',
    { class: 'device-picker' },
    h('legend', {}, 'Find devices'),
    field('Name or id', search, 'Part of the name, or the start of the id'),
    field('Tag', tag, 'A whole tag, any case'),
    h('div', { class: 'actions' }, button),
    results,
    more,
  );
}
