import { api } from './api.js';
import { field, h, replace } from './dom.js';
import { failureState } from './states.js';

/** Cancel a run: a button that opens a form asking why, then a confirmation, then each device's outcome. */
export function cancelControl(runId: string): HTMLElement {
  const box = h('section', { class: 'cancel', attrs: { 'aria-label': 'Cancel this run' } });
  const open = h('button', { attrs: { type: 'button' }, class: 'danger' }, 'Cancel run…');
  open.addEventListener('click', () => {
    const reason = h('textarea', { attrs: { name: 'reason', required: true, maxlength: 500, rows: 2 } });
    const confirm = h('button', { attrs: { type: 'submit' }, class: 'danger' }, 'Confirm: cancel this run');
    const keep = h('button', { attrs: { type: 'button' } }, 'Keep it running');
    const outcome = h('div', { attrs: { role: 'status' } });
    const form = h(
      'form',
      { class: 'cancel-form' },
      field('Why cancel (a ticket or incident)', reason, 'Recorded with your name on each device and in the audit log.'),
      h('div', { class: 'actions' }, confirm, keep),
      outcome,
    );
    keep.addEventListener('click', () => replace(box, open));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      confirm.disabled = true;
      void api.cancelRun(runId, { reason: reason.value.trim() }).then((report) => {
        confirm.disabled = false;
        if (!report.ok) return replace(outcome, failureState(report, 'the cancellation'));
        replace(
          outcome,
          h('p', {}, 'Cancellation asked for:'),
          h('ul', {}, ...report.value.devices.map((d) => h('li', {}, h('code', {}, d.deviceId), `: ${d.outcome} (${d.detail})`))),
        );
      });
    });
    replace(box, form);
    reason.focus();
  });
  replace(box, open);
  return box;
}
