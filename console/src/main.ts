import { api } from './api.js';
import { h, replace } from './dom.js';
import type { Page } from './page.js';
import { deadLettersPage } from './deadLettersPage.js';
import { pacingPage } from './pacingPage.js';
import { runPage } from './runPage.js';
import { runsPage } from './runsPage.js';
import { startPage } from './startPage.js';
import { failureState, holds } from './states.js';
import type { Caller } from './types.js';

/** The page a location hash opens: #/runs (the default), #/runs/<id>, #/start, #/pacing, #/deadletters; undefined for anything else or a role not held. */
function route(hash: string, caller: Caller): Page | undefined {
  const path = hash.replace(/^#\/?/, '');
  if (path === '' || path === 'runs') return runsPage;
  const run = /^runs\/([A-Za-z0-9_-]{1,200})$/.exec(path)?.[1];
  if (run !== undefined) return runPage(run);
  if (path === 'start' && holds(caller.roles, 'Responder.Run')) return startPage;
  if (path === 'pacing') return pacingPage;
  if (path === 'deadletters' && holds(caller.roles, 'Responder.Admin')) return deadLettersPage;
  return undefined;
}

const notFound: Page = (root) => {
  replace(
    root,
    h('h1', {}, 'Not here'),
    h('p', {}, 'This page does not exist, or needs a role you do not hold. '),
    h('a', { attrs: { href: '#/runs' } }, 'Back to the runs'),
  );
  return () => undefined;
};

function header(caller: Caller): HTMLElement {
  return h(
    'header',
    { class: 'top' },
    h('p', { class: 'brand' }, 'MDE Live Response responder'),
    h(
      'nav',
      { attrs: { 'aria-label': 'Console' } },
      h('a', { attrs: { href: '#/runs' } }, 'Runs'),
      holds(caller.roles, 'Responder.Run') ? h('a', { attrs: { href: '#/start' }, class: 'start-link' }, 'Start a run') : null,
      h('a', { attrs: { href: '#/pacing' } }, 'Pacing'),
      holds(caller.roles, 'Responder.Admin') ? h('a', { attrs: { href: '#/deadletters' } }, 'Dead letters') : null,
    ),
    h('p', { class: 'who' }, `Signed in as ${caller.name}`, h('br'), h('small', {}, `Roles: ${caller.roles.join(', ') || 'none'}`)),
  );
}

async function boot(app: HTMLElement): Promise<void> {
  const me = await api.me();
  if (!me.ok) return replace(app, h('main', {}, failureState(me, 'the console')));
  const caller = me.value;
  const main = h('main', { attrs: { id: 'main', tabindex: -1 } });
  replace(app, header(caller), main);
  let stop: () => void = () => undefined;
  const show = (): void => {
    stop();
    stop = (route(window.location.hash, caller) ?? notFound)(main, caller);
    main.focus({ preventScroll: true });
  };
  window.addEventListener('hashchange', show);
  show();
}

const app = document.getElementById('app');
if (app) void boot(app);
