import { h, type Child } from './dom.js';
import type { Count } from './types.js';

/** One figure of a page at a glance: its name, its value, an optional detail; marked as a problem when it is one. */
export function figure(name: string, value: Child, detail?: string, problem = false): HTMLElement {
  return h(
    'div',
    { class: problem ? 'figure problem' : 'figure', attrs: { 'data-figure': name } },
    h('dt', {}, name),
    h('dd', {}, h('strong', {}, value), detail ? h('small', {}, detail) : null),
  );
}

/** A count as the API qualifies it: exact as is, ≈ for an estimate, ≥ for a lower bound. */
export function countText(count: Count): HTMLElement {
  const mark = count.countIs === 'approximate' ? '≈ ' : count.countIs === 'atLeast' ? '≥ ' : '';
  const said = count.countIs === 'approximate' ? 'approximately' : count.countIs === 'atLeast' ? 'at least' : 'exactly';
  return h('span', { class: 'count', attrs: { 'data-count-is': count.countIs, title: `${said} ${count.count}` } }, `${mark}${count.count}`);
}
