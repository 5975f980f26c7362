import { SIGN_IN_URL, type ApiFailure } from './api.js';
import { h } from './dom.js';
import type { Role } from './types.js';

/** A short message in place of content: nothing yet, nothing found. */
export const emptyState = (text: string): HTMLElement => h('p', { class: 'state empty' }, text);

export const loadingState = (): HTMLElement => h('p', { class: 'state loading', attrs: { role: 'status' } }, 'Loading…');

/** What a failed call means for the reader, and what they can do. */
export function failureState(failure: ApiFailure, what: string): HTMLElement {
  const box = (text: string, ...more: (Node | string)[]): HTMLElement =>
    h('div', { class: `state problem ${failure.kind}`, attrs: { role: 'alert' } }, h('p', {}, text), ...more);
  switch (failure.kind) {
    case 'signed-out':
      return box(`Your sign-in has ended, so ${what} cannot be shown.`, h('a', { attrs: { href: SIGN_IN_URL } }, 'Sign in again'));
    case 'forbidden':
      return box(`You may not see ${what}: ${failure.message}`);
    case 'not-found':
      return box(`Not found: ${failure.message}`);
    case 'unavailable':
      return box(`${capitalise(what)} is not available on this server.`);
    case 'invalid':
      return box(
        `Refused: ${failure.message}`,
        ...(failure.details.length > 0 ? [h('ul', {}, ...failure.details.map((d) => h('li', {}, `${d.path}: ${d.message}`)))] : []),
      );
    case 'failed':
      return box(`Could not load ${what}: ${failure.message}. It is tried again shortly.`);
  }
}

/** The text with its first letter in upper case. */
export const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Whether the caller holds `role` (the server checks again on every call; this only hides what would be refused). */
export const holds = (roles: readonly Role[], role: Role): boolean => roles.includes(role);
