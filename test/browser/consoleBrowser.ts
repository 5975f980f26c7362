import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, as .ci/run installs it (apt-get install chromium); no browser is downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests leave their screenshots (git-ignored). */
export const SCREENSHOTS = path.resolve('.artifacts/console');

/**
 * Headless Chromium for a browser test. Fails, never skips, when Debian's
 * Chromium is missing: a browser test that quietly did not run proves nothing.
 * The flags keep it off the network (this machine's is closed) and out of any
 * profile but a fresh one.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the console's browser tests need Debian's Chromium at ${CHROMIUM}: apt-get update && apt-get install -y --no-install-recommends chromium (.ci/run does)`,
    );
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Compiles the console's scripts (console/src -> dist/console) as npm run build does, so the tests serve the code under test. */
export function buildConsole(): void {
  execFileSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', 'console/tsconfig.json'], { stdio: 'inherit' });
}
