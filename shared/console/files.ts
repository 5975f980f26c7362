import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, ok, type Result } from '../result.js';

/** Where a console file comes from: written by hand (console/public) or compiled from console/src (dist/console). */
type Origin = 'public' | 'built';

interface ConsoleFileSpec {
  origin: Origin;
  contentType: string;
}

const HTML = 'text/html; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const SCRIPT = 'text/javascript; charset=utf-8';

/**
 * Every file the console route serves, by its exact name: nothing else is
 * ever read. A request names one of these or gets a 404, so `..`, encoded
 * separators and other paths cannot reach the file system. The scripts are
 * console/src/*.ts compiled by `npm run build` (console/tsconfig.json); a
 * test keeps this list and that folder equal.
 */
export const CONSOLE_FILES: Readonly<Record<string, ConsoleFileSpec>> = {
  'index.html': { origin: 'public', contentType: HTML },
  'console.css': { origin: 'public', contentType: CSS },
  'main.js': { origin: 'built', contentType: SCRIPT },
  'api.js': { origin: 'built', contentType: SCRIPT },
  'callsChart.js': { origin: 'built', contentType: SCRIPT },
  'cancelControl.js': { origin: 'built', contentType: SCRIPT },
  'deadLettersPage.js': { origin: 'built', contentType: SCRIPT },
  'deviceList.js': { origin: 'built', contentType: SCRIPT },
  'devicePicker.js': { origin: 'built', contentType: SCRIPT },
  'deviceView.js': { origin: 'built', contentType: SCRIPT },
  'dom.js': { origin: 'built', contentType: SCRIPT },
  'figures.js': { origin: 'built', contentType: SCRIPT },
  'format.js': { origin: 'built', contentType: SCRIPT },
  'owedNotificationsView.js': { origin: 'built', contentType: SCRIPT },
  'pacingPage.js': { origin: 'built', contentType: SCRIPT },
  'page.js': { origin: 'built', contentType: SCRIPT },
  'poller.js': { origin: 'built', contentType: SCRIPT },
  'runPage.js': { origin: 'built', contentType: SCRIPT },
  'runsPage.js': { origin: 'built', contentType: SCRIPT },
  'startPage.js': { origin: 'built', contentType: SCRIPT },
  'states.js': { origin: 'built', contentType: SCRIPT },
  'trigger.js': { origin: 'built', contentType: SCRIPT },
  'types.js': { origin: 'built', contentType: SCRIPT },
  'waitingLinesView.js': { origin: 'built', contentType: SCRIPT },
};

/** The page a bare /api/console/ opens. */
export const CONSOLE_INDEX = 'index.html';

/**
 * Headers of every console file: a strict Content-Security-Policy (scripts,
 * styles and API calls from this app only; no inline script, no frames, no
 * base or form targets elsewhere), no MIME sniffing, no referrer leaving the
 * app, and no caching past a deployment.
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

export interface ConsoleFile {
  name: string;
  contentType: string;
  body: string;
}

/** The app's root folder (the one holding package.json), from this module in functions' source or in dist/. */
function appRoot(): string {
  let folder = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(folder, 'package.json'))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error('the console cannot find the app root (no package.json above shared/console)');
    folder = parent;
  }
  return folder;
}

const FOLDERS: Record<Origin, string> = { public: 'console/public', built: 'dist/console' };
const cache = new Map<string, ConsoleFile>();

/**
 * The console file a request path names ('' is the index), read once and
 * kept; an error saying why when the path names no console file, or names
 * a script that was not built.
 */
export async function readConsoleFile(requested: string, root = appRoot()): Promise<Result<ConsoleFile, string>> {
  const name = requested === '' ? CONSOLE_INDEX : requested;
  const spec = Object.hasOwn(CONSOLE_FILES, name) ? CONSOLE_FILES[name] : undefined;
  if (!spec) return fail('no such console file');
  const key = `${root}\0${name}`;
  const cached = cache.get(key);
  if (cached) return ok(cached);
  try {
    const body = await readFile(path.join(root, FOLDERS[spec.origin], name), 'utf8');
    const file = { name, contentType: spec.contentType, body };
    cache.set(key, file);
    return ok(file);
  } catch {
    return fail(`console file ${name} is missing: build the console (npm run build)`);
  }
}
