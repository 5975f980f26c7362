import { cancelControl } from './cancelControl.js';
import { h, replace } from './dom.js';
import { deviceView } from './deviceView.js';
import { emptyState, holds } from './states.js';
import type { Caller, DeviceStatus } from './types.js';

/** Devices drawn at first, and added by each "Show more": a 500-device run stays a page of sections, not 500. */
export const DEVICE_PAGE = 50;

/** Device states in which a cancel can still change something. */
const CANCELLABLE = new Set<DeviceStatus['state']>(['queued', 'submitting', 'submitted']);

/**
 * A run's devices, a page at a time with "Show more". A refresh redraws only
 * the devices whose status changed; each device's cancel form is kept
 * across redraws (an analyst typing a reason is not interrupted).
 */
export function deviceList(runId: string, caller: Caller): { element: HTMLElement; update: (devices: readonly DeviceStatus[]) => void } {
  const sections = h('div', { class: 'devices' });
  const more = h('div', { class: 'more' });
  const element = h('div', {}, sections, more);
  const drawn = new Map<string, { json: string; section: HTMLElement }>();
  const cancels = new Map<string, HTMLElement>();
  let limit = DEVICE_PAGE;
  let last: readonly DeviceStatus[] = [];

  const cancelFor = (device: DeviceStatus): HTMLElement | null => {
    if (!holds(caller.roles, 'Responder.Cancel') || !CANCELLABLE.has(device.state)) {
      cancels.delete(device.deviceId);
      return null;
    }
    const kept = cancels.get(device.deviceId) ?? cancelControl(runId, device.deviceId);
    cancels.set(device.deviceId, kept);
    return kept;
  };

  const update = (devices: readonly DeviceStatus[]): void => {
    last = devices;
    if (devices.length === 0) return replace(sections, emptyState('No device was targeted.'));
    const shown = devices.slice(0, limit);
    const sectionsShown = shown.map((device) => {
      const json = JSON.stringify(device);
      const entry = drawn.get(device.deviceId);
      if (entry?.json === json) return entry.section;
      const section = deviceView(runId, device, caller, cancelFor(device));
      entry?.section.replaceWith(section);
      drawn.set(device.deviceId, { json, section });
      return section;
    });
    const wanted = new Set(shown.map((d) => d.deviceId));
    for (const id of [...drawn.keys()]) if (!wanted.has(id)) drawn.delete(id);
    const children = sections.children;
    if (sectionsShown.length !== children.length || sectionsShown.some((section, i) => children[i] !== section))
      sections.replaceChildren(...sectionsShown);
    const hidden = devices.length - shown.length;
    if (hidden <= 0) return replace(more);
    const button = h('button', { attrs: { type: 'button' }, class: 'show-more' }, `Show ${Math.min(DEVICE_PAGE, hidden)} more`);
    button.addEventListener('click', () => {
      limit += DEVICE_PAGE;
      update(last);
    });
    replace(more, h('p', { class: 'muted' }, `Showing ${shown.length} of ${devices.length} devices. `), button);
  };
  return { element, update };
}
