import type { Caller } from './types.js';

/**
 * One page of the console: it draws into `root` for `caller` (whose roles
 * decide which controls it shows) and returns how to stop whatever it keeps
 * doing (polling); the router calls that when the page is left.
 */
export type Page = (root: HTMLElement, caller: Caller) => () => void;
