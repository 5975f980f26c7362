import { api } from './api.js';
import { field, h, replace } from './dom.js';
import { commandText, isDeviceId, parseDeviceIds, shortHash } from './format.js';
import type { Page } from './page.js';
import { devicePicker } from './devicePicker.js';
import { failureState, loadingState } from './states.js';
import { refusedView } from './trigger.js';
import type { DryRunResult, PlaybookSummary } from './types.js';

/**
 * Start a manual run: pick a playbook and devices, see the dry run (the exact
 * commands per device and every refusal), give a reason, confirm; then the
 * run's page opens. The preview is dropped whenever the choice changes, so
 * what is confirmed is what was shown.
 */
export const startPage: Page = (root) => {
  const body = h('div', {}, loadingState());
  replace(root, h('h1', {}, 'Start a run'), body);
  let left = false;
  void api.listPlaybooks().then((list) => {
    if (left) return;
    if (!list.ok) return replace(body, failureState(list, 'the playbooks'));
    const manual = list.value.playbooks.filter((p) => p.triggers.includes('manual'));
    replace(body, manual.length === 0 ? h('p', { class: 'state empty' }, 'No playbook may be run by hand.') : startForm(manual));
  });
  return () => (left = true);
};

function startForm(playbooks: PlaybookSummary[]): HTMLElement {
  const playbook = h(
    'select',
    { attrs: { name: 'playbook', required: true } },
    h('option', { attrs: { value: '' } }, 'Choose a playbook'),
    ...playbooks.map((p) => h('option', { attrs: { value: p.name } }, `${p.name}@${p.version} (${shortHash(p.contentSha256)})`)),
  );
  const description = h('p', { class: 'muted', attrs: { 'aria-live': 'polite' } });
  const devices = h('textarea', { attrs: { name: 'devices', rows: 3, spellcheck: 'false', autocomplete: 'off' } });
  const reason = h('input', { attrs: { name: 'reason', type: 'text', required: true, maxlength: 500, autocomplete: 'off' } });
  const preview = h('section', { class: 'preview', attrs: { 'aria-live': 'polite', 'aria-label': 'Dry run' } });
  const previewButton = h('button', { attrs: { type: 'button' } }, 'Preview the commands (dry run)');
  const startButton = h('button', { attrs: { type: 'submit', disabled: true } }, 'Start run…');
  const confirmBox = h('div', { class: 'confirm', attrs: { role: 'status' } });
  // One key for this form: a second click, or a retry after a lost answer, gives the same run.
  const idempotencyKey = crypto.randomUUID();

  const choice = (): { playbook: string; devices?: string[] } | string => {
    if (playbook.value === '') return 'Choose a playbook.';
    const ids = parseDeviceIds(devices.value);
    const bad = ids.find((id) => !isDeviceId(id));
    if (bad !== undefined) return `Not a device id (40 hex digits): ${bad}`;
    return ids.length === 0 ? { playbook: playbook.value } : { playbook: playbook.value, devices: ids };
  };
  const invalidate = (): void => {
    startButton.disabled = true;
    replace(preview);
    replace(confirmBox);
    const chosen = playbooks.find((p) => p.name === playbook.value);
    description.textContent = chosen ? chosen.description : '';
  };
  playbook.addEventListener('change', invalidate);
  devices.addEventListener('input', invalidate);
  const picked = (id: string): boolean => parseDeviceIds(devices.value).some((typed) => typed.toLowerCase() === id);
  const picker = devicePicker((id, on) => {
    const others = parseDeviceIds(devices.value).filter((typed) => typed.toLowerCase() !== id);
    devices.value = (on ? [...others, id] : others).join('\n');
    invalidate();
  }, picked);

  previewButton.addEventListener('click', () => {
    const chosen = choice();
    if (typeof chosen === 'string') return replace(preview, h('p', { class: 'state problem', attrs: { role: 'alert' } }, chosen));
    replace(preview, loadingState());
    void api.dryRun(chosen).then((result) => {
      if (!result.ok) return replace(preview, failureState(result, 'the dry run'));
      replace(preview, dryRunView(result.value));
      startButton.disabled = result.value.plans.every((p) => p.devices.length === 0);
    });
  });

  const form = h(
    'form',
    { class: 'start' },
    field('Playbook', playbook),
    description,
    picker,
    field(
      'Devices',
      devices,
      'Defender device ids (40 hex digits), one per line, typed or ticked above; empty: the devices the playbook itself selects.',
    ),
    h('div', { class: 'actions' }, previewButton),
    preview,
    field('Reason', reason, 'Why (a ticket or incident): recorded with your name in the run and the audit log.'),
    h('div', { class: 'actions' }, startButton),
    confirmBox,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = choice();
    if (typeof chosen === 'string' || !form.reportValidity()) return;
    const confirm = h('button', { attrs: { type: 'button' }, class: 'primary' }, 'Confirm: start the run');
    const back = h('button', { attrs: { type: 'button' } }, 'Not yet');
    back.addEventListener('click', () => replace(confirmBox));
    confirm.addEventListener('click', () => {
      confirm.disabled = true;
      void api.startRun({ ...chosen, reason: reason.value.trim(), idempotencyKey }).then((started) => {
        if (!started.ok) {
          confirm.disabled = false;
          return replace(confirmBox, failureState(started, 'the run'));
        }
        window.location.hash = `#/runs/${encodeURIComponent(started.value.runId)}`;
      });
    });
    const count = chosen.devices ? `${chosen.devices.length} device(s)` : "the playbook's own devices";
    replace(confirmBox, h('p', {}, `Start ${chosen.playbook} on ${count}? The commands shown above are sent.`), confirm, ' ', back);
    confirm.focus();
  });
  return form;
}

function dryRunView(result: DryRunResult): HTMLElement {
  return h(
    'div',
    {},
    h('h2', {}, 'Dry run: nothing was sent'),
    h('p', { class: 'muted' }, result.note),
    ...result.plans.map((plan) =>
      h(
        'div',
        { class: 'plan' },
        ...plan.devices.map((d) =>
          h(
            'div',
            { class: 'plan-device', attrs: { 'data-device-id': d.deviceId } },
            h('h3', {}, d.deviceName ?? d.deviceId, ' ', h('small', {}, h('code', {}, d.deviceId))),
            h('ol', { attrs: { start: 0 } }, ...d.commands.map((c) => h('li', {}, h('code', {}, commandText(c))))),
          ),
        ),
        plan.devices.length === 0 ? h('p', { class: 'state empty' }, 'No device would be sent anything.') : null,
        refusedView(plan.refused, h('h3', {}, 'Refused (nothing would be sent)')),
      ),
    ),
  );
}
