import { api } from './api.js';
import { field, h, replace } from './dom.js';
import { failureState } from './states.js';

/**
 * Cancel a run, or one device of it: a button that opens a form asking why,
 * then a confirmation, then each device's outcome.
 */
export function cancelControl(runId: string, deviceId?: string): HTMLElement {
  const what = deviceId === undefined ? 'this run' : 'this device';
  const box = h('section', { class: 'cancel', attrs: { 'aria-label': `Cancel ${what}` } });
  const open = h('button', { attrs: { type: 'button' }, class: 'danger' }, deviceId === undefined ? 'Cancel run…' : 'Cancel this device…');
  open.addEventListener('click', () => {
    const reason = h('textarea', { attrs: { name: 'reason', required: true, maxlength: 500, rows: 2 } });
    const confirm = h('button', { attrs: { type: 'submit' }, class: 'danger' }, `Confirm: cancel ${what}`);
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
      const body = { reason: reason.value.trim(), ...(deviceId === undefined ? {} : { deviceId }) };
      void api.cancelRun(runId, body).then((report) => {
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
