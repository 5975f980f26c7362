import { api } from './api.js';
import { copyButton, h, replace } from './dom.js';
import { formatTime } from './format.js';
import type { Page } from './page.js';
import { startPolling } from './poller.js';
import { cancelControl } from './cancelControl.js';
import { deviceList } from './deviceList.js';
import { failureState, holds, loadingState } from './states.js';
import { playbookView, refusedView, triggerView } from './trigger.js';
import type { RunStatus } from './types.js';

const REFRESH_MS = 2_000;

/** One run: its trigger and playbook, then each device's timeline, commands, outcomes and evidence (a page of devices at a time); followed until it ends. */
export const runPage =
  (runId: string): Page =>
  (root, caller) => {
    const body = h('div', {}, loadingState());
    const cancel = h('div');
    const devices = deviceList(runId, caller);
    const devicesHeading = h('h2', {});
    replace(root, h('p', {}, h('a', { attrs: { href: '#/runs' } }, '← All runs')), h('h1', {}, 'Run ', h('code', {}, runId)), cancel, body);
    let shown = '';
    let cancelShown = false;
    return startPolling(async () => {
      const run = await api.getRun(runId);
      if (!run.ok) {
        shown = '';
        replace(body, failureState(run, `run ${runId}`));
        return run.kind === 'failed';
      }
      const { devices: deviceStatuses, ...facts } = run.value;
      const json = JSON.stringify(facts);
      if (json !== shown) replace(body, runView(run.value), devicesHeading, devices.element);
      shown = json;
      devicesHeading.textContent = `Devices (${deviceStatuses.length})`;
      devices.update(deviceStatuses);
      const cancellable = run.value.phase !== 'ended' && holds(caller.roles, 'Responder.Cancel');
      if (cancellable && !cancelShown) replace(cancel, cancelControl(runId));
      if (!cancellable) replace(cancel);
      cancelShown = cancellable;
      return run.value.phase !== 'ended';
    }, REFRESH_MS);
  };

/** The run's phase, trigger, playbook and refusals (its devices are drawn by deviceList). */
function runView(run: RunStatus): HTMLElement {
  return h(
    'div',
    {},
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Phase'),
      h('dd', {}, h('span', { class: `phase ${run.phase}`, attrs: { 'data-phase': run.phase } }, run.phase)),
      h('dt', {}, 'Created'),
      h('dd', {}, formatTime(run.created)),
      h('dt', {}, 'Trigger'),
      h('dd', {}, triggerView(run.trigger)),
      h('dt', {}, 'Playbook'),
      h('dd', {}, playbookView(run.playbook), ' ', copyButton(run.playbook.contentSha256, 'playbook SHA-256')),
    ),
    refusedView(run.refused, h('h2', {}, 'Devices refused (nothing sent)')),
  );
}
