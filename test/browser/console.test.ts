import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/registry.js';
import { serveFunctions, type ServedFunctions } from '../../local/host.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { silentLogger } from '../../shared/log.js';
import { buildConsole, launchChromium, SCREENSHOTS } from './consoleBrowser.js';

/**
 * The operator console in a real browser (Debian's headless Chromium) against
 * the local stack: Azurite, the Defender API simulator and the app's own
 * handlers, on ports chosen at run time. One stack serves every test; a
 * second HTTP host over the same services signs every call in as a read-only
 * analyst.
 */
const SRV_SQL = '2a7f0c3e9b1d4c6e8f0a2b4c6d8e0f1a3b5c7d9e';
const LT_SALES = '3b8e1d4f0c2e5d7f9a1b3c5d7e9f1a2b4c6d8e0f';
const HOSTILE = '<img src=x onerror=window.__pwned=1>';

let stack: LocalStack;
let readOnly: ServedFunctions;
let browser: Browser;

/** The demo fleet, with lt-sales-12 offline for ten days: its action stays Pending until cancelled. */
function fleetWithAnOfflineDevice(): string {
  const fleet = JSON.parse(readFileSync('local/fleets/demo.json', 'utf8')) as { devices: { id: string; availability: unknown }[] };
  for (const device of fleet.devices) if (device.id === LT_SALES) device.availability = { offlineUntilMs: 10 * 24 * 3_600_000 };
  const file = path.join(tmpdir(), `console-fleet-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(fleet));
  return file;
}

async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => console.error('console page error:', error));
  await page.goto(url);
  return page;
}

beforeAll(async () => {
  buildConsole();
  browser = await launchChromium();
  stack = await startLocalStack({ fleetPath: fleetWithAnOfflineDevice(), timeScale: 600, logSink: () => undefined, timers: false });
  const principal = {
    objectId: '0a1b2c3d-0000-4000-8000-0000000000aa',
    name: 'reader@contoso.com',
    kind: 'user' as const,
    roles: ['Responder.Read' as const],
  };
  readOnly = await serveFunctions(FUNCTIONS, {
    services: stack.services,
    config: { ...stack.config, auth: { mode: 'development', principal } },
    clock: stack.clock,
    logger: silentLogger,
    timers: false,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await readOnly?.stop();
  await stack?.stop();
});

describe('the operator console in a browser', () => {
  let succeededRunUrl = '';

  it('starts a manual run through the form, shows the dry run first, and follows the device to Succeeded with the blob’s SHA-256', async () => {
    const page = await open(`${stack.apiUrl}/api/console/#/start`);
    await page.getByLabel('Playbook').selectOption('collect-hosts-file');
    await page.getByLabel('Devices').fill(SRV_SQL);
    await page.getByRole('button', { name: 'Preview the commands (dry run)' }).click();
    await expect.poll(() => page.locator(`.plan-device[data-device-id="${SRV_SQL}"] ol code`).first().textContent()).toContain('GetFile');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'start-form.png'), fullPage: true });
    await page.getByLabel('Reason').fill(`INC-42 ${HOSTILE}`);
    await page.getByRole('button', { name: 'Start run…' }).click();
    await page.getByRole('button', { name: 'Confirm: start the run' }).click();

    await page.waitForURL(/#\/runs\/m-/);
    const device = page.locator(`section.device[data-device-id="${SRV_SQL}"]`);
    await device.locator('[data-stage="Succeeded"]').waitFor({ timeout: 60_000 });
    await device.locator('code.sha256').waitFor({ timeout: 60_000 });
    succeededRunUrl = page.url();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'run.png'), fullPage: true });

    const shown = (await device.locator('code.sha256').textContent()) ?? '';
    const blob = (await device.locator('code.blob').textContent()) ?? '';
    const hash = createHash('sha256');
    for await (const chunk of await stack.services.deps.evidence.openRead(blob)) hash.update(chunk as Buffer);
    expect(shown).toBe(hash.digest('hex'));
    expect(await page.locator('.trigger .reason').textContent()).toBe(`INC-42 ${HOSTILE}`);
    await page.close();
  });

  it('shows a hostile alert title and reason as characters in the live runs list: nothing in them runs', async () => {
    const alert = JSON.parse(readFileSync('local/demo/alerts/01-lsass-access-ws-finance-07.json', 'utf8')) as Record<string, unknown>;
    const page = await open(`${stack.apiUrl}/api/console/#/runs`);
    await page.locator('table.runs').waitFor();
    // Sent after the page opened: the list shows it on a refresh, without a reload.
    await stack.bus.send('alerts', { body: { ...alert, title: HOSTILE }, messageId: 'console-hostile' });
    await expect.poll(() => page.locator('.trigger.alert .title').first().textContent(), { timeout: 30_000 }).toBe(HOSTILE);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'runs.png'), fullPage: true });

    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('.trigger.manual .reason').first().textContent()).toBe(`INC-42 ${HOSTILE}`);
    const link = page.locator('.trigger.alert a').first();
    expect(await link.getAttribute('href')).toMatch(/^https:\/\/security\.microsoft\.com\/alerts\/[A-Za-z0-9_-]+$/);
    await page.close();
  });

  it('cancels a run whose device is offline, with a reason, and shows the device cancelled', async () => {
    const started = await stack.services.startManualRun(
      { playbook: 'collect-hosts-file', devices: [LT_SALES], reason: 'INC-43' },
      {
        objectId: '0a1b2c3d-0000-4000-8000-0000000000bb',
        name: 'analyst@contoso.com',
        kind: 'user',
        roles: ['Responder.Run'],
      },
    );
    if (!started.ok) throw new Error(JSON.stringify(started.errors));
    const runId = started.value.run.runId;
    const page = await open(`${stack.apiUrl}/api/console/#/runs/${runId}`);
    const device = page.locator(`section.device[data-device-id="${LT_SALES}"]`);
    await device.locator('[data-stage="Pending"]').waitFor({ timeout: 30_000 });

    const reader = await open(`${readOnly.apiUrl ?? ''}/api/console/#/runs/${runId}`);
    await reader.locator(`section.device[data-device-id="${LT_SALES}"]`).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Cancel run…' }).count()).toBe(1);
    expect(await reader.getByRole('button', { name: 'Cancel run…' }).count()).toBe(0);
    expect(await reader.getByRole('link', { name: 'Start a run' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Start a run' }).count()).toBe(1);
    await reader.close();

    await page.getByRole('button', { name: 'Cancel run…' }).click();
    await page.getByLabel('Why cancel (a ticket or incident)').fill('INC-43 wrong device');
    await page.getByRole('button', { name: 'Confirm: cancel this run' }).click();
    await device.locator('[data-stage="Cancelled"]').waitFor({ timeout: 30_000 });
    expect(await device.textContent()).toContain('INC-43 wrong device');
    await page.close();
  });

  it('shows a read-only analyst the evidence but no download', async () => {
    const runPath = new URL(succeededRunUrl).hash;
    const reader = await open(`${readOnly.apiUrl ?? ''}/api/console/${runPath}`);
    await reader.locator('code.sha256').waitFor();
    expect(await reader.getByRole('button', { name: 'Download' }).count()).toBe(0);
    await reader.setViewportSize({ width: 420, height: 800 });
    await reader.screenshot({ path: path.join(SCREENSHOTS, 'run-read-only-narrow.png'), fullPage: true });
    await reader.close();

    const analyst = await open(succeededRunUrl);
    await analyst.locator('code.sha256').waitFor();
    await analyst.getByRole('button', { name: 'Download' }).click();
    // The local stack signs links with Azurite's development key (README "Evidence downloads").
    await expect.poll(() => analyst.locator('.evidence-item [role="status"]').first().textContent()).toMatch(/Link valid until/);
    await analyst.close();
  });
});
