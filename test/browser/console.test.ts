import { TableClient } from '@azure/data-tables';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/registry.js';
import { serveFunctions, type ServedFunctions } from '../../local/host.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { TablePacingStore } from '../../shared/azure/tablePacingStore.js';
import { silentLogger } from '../../shared/log.js';
import { MAX_WAITERS_PER_DEVICE } from '../../shared/pacing/deviceQueue.js';
import type { PacingState, Waiter } from '../../shared/pacing/state.js';
import { hexId, makeAction, makeRun } from '../helpers/runRecords.js';
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
  // The directory timer is off in these tests: one refresh lists the fleet for the device search.
  await stack.services.refreshDeviceDirectory();
}, 120_000);

const analyst = {
  objectId: '0a1b2c3d-0000-4000-8000-0000000000bb',
  name: 'analyst@contoso.com',
  kind: 'user' as const,
  roles: ['Responder.Run' as const],
};

/** Writes a change into the stack's pacing record, as another worker would (compare-and-swap, again on a conflict). */
async function changePacing(change: (state: PacingState) => PacingState): Promise<void> {
  const table = TableClient.fromConnectionString(stack.azurite.connectionString, stack.config.storage.pacingTable, {
    allowInsecureConnection: true,
  });
  const store = new TablePacingStore(table);
  for (let attempt = 0; attempt < 20; attempt++) {
    const { value, etag } = await store.load();
    if ((await store.save(change(value), etag)) === 'ok') return;
  }
  throw new Error('the pacing record kept changing');
}

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
    await page.getByLabel('Devices', { exact: true }).fill(SRV_SQL);
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

  it('cancels a run whose device is offline, with a reason, shows the device cancelled, and Defender holds no open action on it', async () => {
    const started = await stack.services.startManualRun({ playbook: 'collect-hosts-file', devices: [LT_SALES], reason: 'INC-43' }, analyst);
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

    // Defender (the simulator) holds the action cancelled, with the reason: the device is free for the next action.
    const actionId = (await stack.services.deps.runs.getAction(runId, LT_SALES))?.value.machineActionId ?? '';
    await expect
      .poll(async () => (await stack.services.deps.defender.getMachineAction(actionId)).status, { timeout: 30_000 })
      .toBe('Cancelled');
    const onDevice = await stack.services.deps.defender.listMachineActions({ machineId: LT_SALES });
    expect(onDevice.filter((a) => a.status === 'Pending' || a.status === 'InProgress')).toEqual([]);
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
    // The local stack signs links with Azurite's development key (docs/api.md "Evidence downloads").
    await expect.poll(() => analyst.locator('.evidence-item [role="status"]').first().textContent()).toMatch(/Link valid until/);
    await analyst.close();
  });

  it('cancels one device of a run, with a reason, and leaves the other device alone', async () => {
    const started = await stack.services.startManualRun(
      { playbook: 'collect-hosts-file', devices: [LT_SALES, SRV_SQL], reason: 'INC-44' },
      analyst,
    );
    if (!started.ok) throw new Error(JSON.stringify(started.errors));
    const page = await open(`${stack.apiUrl}/api/console/#/runs/${started.value.run.runId}`);
    const offline = page.locator(`section.device[data-device-id="${LT_SALES}"]`);
    await offline.locator('[data-stage="Pending"]').waitFor({ timeout: 30_000 });
    await offline.getByRole('button', { name: 'Cancel this device…' }).click();
    await offline.getByLabel('Why cancel (a ticket or incident)').fill('INC-44 only the laptop');
    await offline.getByRole('button', { name: 'Confirm: cancel this device' }).click();
    await offline.locator('[data-stage="Cancelled"]').waitFor({ timeout: 30_000 });
    expect(await offline.textContent()).toContain('INC-44 only the laptop');
    const other = page.locator(`section.device[data-device-id="${SRV_SQL}"]`);
    await other.locator('[data-stage="Succeeded"]').waitFor({ timeout: 60_000 });
    expect(await other.textContent()).not.toContain('INC-44 only the laptop');
    await page.close();
  });

  it('finds a device by name in the start form and ticks it into the run’s devices', async () => {
    const page = await open(`${stack.apiUrl}/api/console/#/start`);
    await page.getByLabel('Playbook').selectOption('collect-hosts-file');
    await page.getByLabel('Name or id').fill('SQL');
    await page.getByRole('button', { name: 'Find devices' }).click();
    const found = page.locator('ul.picker li');
    await found.first().waitFor();
    expect(await found.count()).toBe(1);
    await page.getByRole('checkbox', { name: /srv-sql-01/ }).check();
    expect(await page.getByLabel('Devices', { exact: true }).inputValue()).toBe(SRV_SQL);
    await page.getByRole('button', { name: 'Preview the commands (dry run)' }).click();
    await page.locator(`.plan-device[data-device-id="${SRV_SQL}"]`).waitFor();
    await page.getByRole('checkbox', { name: /srv-sql-01/ }).uncheck();
    expect(await page.getByLabel('Devices', { exact: true }).inputValue()).toBe('');
    await page.close();
  });

  it('shows pacing at a glance: calls against the limit, sessions, budget, a bar per minute of the last hour, and the queues', async () => {
    const page = await open(`${stack.apiUrl}/api/console/#/pacing`);
    await expect.poll(() => page.locator('[data-figure="Sessions in use"] strong').textContent()).toMatch(/^\d+ of 25$/);
    expect(await page.locator('[data-figure="Calls in the last minute"] strong').textContent()).toMatch(/^\d+ of \d+$/);
    expect(await page.locator('[data-figure="429 penalty"] strong').textContent()).toMatch(/None|In force/);
    expect(await page.locator('svg.calls-chart rect.bar').count()).toBe(60);
    expect(await page.locator('tr[data-queue="actions"] [data-count-is]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'pacing.png'), fullPage: true });
    await page.close();
  });

  it('shows the longest waiting lines by device, a device id as characters, and a full line', async () => {
    const full = hexId(0xf00d);
    const line = (n: number, prefix: string): Waiter[] =>
      Array.from({ length: n }, (_, i) => ({ runId: `${prefix}-${i}`, untilMs: stack.clock.nowMs() + 30 * 86_400_000 }));
    await changePacing((s) => ({
      ...s,
      queues: { ...s.queues, [HOSTILE]: line(3, 'console-hostile'), [full]: line(MAX_WAITERS_PER_DEVICE, 'console-full') },
    }));
    try {
      const page = await open(`${stack.apiUrl}/api/console/#/pacing`);
      const rows = page.locator('table.waiting-lines tbody tr');
      await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
      expect(await rows.first().locator('code').textContent()).toBe(full);
      expect(await rows.first().textContent()).toContain(`${MAX_WAITERS_PER_DEVICE} of ${MAX_WAITERS_PER_DEVICE} (full`);
      const hostile = rows.filter({ hasText: HOSTILE });
      expect(await hostile.locator('code').textContent()).toBe(HOSTILE);
      expect(await hostile.locator('td').first().textContent()).toBe(`3 of ${MAX_WAITERS_PER_DEVICE}`);
      expect(await page.locator('[data-figure="Runs in waiting lines"] strong').textContent()).toMatch(/^\d+ of 1000$/);
      expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(await page.locator('main img').count()).toBe(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'pacing-lines.png'), fullPage: true });
      await page.close();
    } finally {
      await changePacing((s) => {
        const { [HOSTILE]: _hostile, [full]: _full, ...queues } = s.queues ?? {};
        const { queues: _old, ...rest } = s;
        return Object.keys(queues).length > 0 ? { ...rest, queues } : rest;
      });
    }
  });

  it('shows the notifications owed, marked as a problem with how long the oldest has waited, and none once they are queued', async () => {
    const owed = stack.services.deps.owedNotifications;
    const ids = ['console-owed-1', 'console-owed-2'].map((runId) => `notify.webhook.run-ended.${runId}`);
    for (const [index, id] of ids.entries())
      await owed.owe(
        { id, sink: 'webhook', event: { kind: 'run-ended', runId: id.split('.').at(-1) ?? '' } },
        stack.clock.nowMs() - (index + 1) * 600_000,
      );
    try {
      const page = await open(`${stack.apiUrl}/api/console/#/pacing`);
      const shown = page.locator('[data-figure="Notifications owed"]');
      await expect.poll(() => shown.locator('strong').textContent()).toBe('2');
      expect(await shown.getAttribute('class')).toContain('problem');
      expect(await shown.locator('small').textContent()).toMatch(/^the oldest owed for \d+ (min|h)/);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'pacing-owed.png'), fullPage: true });
      for (const id of ids) await owed.settle(id);
      await expect.poll(() => shown.locator('strong').textContent(), { timeout: 15_000 }).toBe('0');
      expect(await shown.getAttribute('class')).not.toContain('problem');
      await page.close();
    } finally {
      for (const id of ids) await owed.settle(id);
    }
  });

  it('lets an admin replay a dead letter, its preview shown as text, and hides dead letters from a read-only analyst', async () => {
    await stack.bus.send('collect', { body: { note: HOSTILE }, messageId: 'console-malformed' });
    const page = await open(`${stack.apiUrl}/api/console/#/deadletters`);
    await page.getByLabel('Queue').selectOption('collect');
    await page.getByLabel('Dead-letter reason').fill('MalformedMessage');
    const entry = page.locator('article.dead-letter').filter({ hasText: 'console-malformed' }).first();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Apply filters' }).click();
          return entry.count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    expect(await entry.locator('pre.preview').textContent()).toContain(HOSTILE);
    await entry.getByRole('checkbox').check();
    await page.getByLabel('Why (a ticket or the fix)').fill('INC-45 fixed the sender');
    await page.getByRole('button', { name: 'Replay selected…' }).click();
    await page.getByRole('button', { name: 'Confirm: replay 1' }).click();
    await page.locator('li[data-outcome="replayed"]').waitFor();
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await page.close();

    const reader = await open(`${readOnly.apiUrl ?? ''}/api/console/#/deadletters`);
    await reader.getByRole('heading', { name: 'Not here' }).waitFor();
    expect(await reader.getByRole('link', { name: 'Dead letters' }).count()).toBe(0);
    expect(await reader.getByRole('link', { name: 'Pacing' }).count()).toBe(1);
    await reader.close();
  });

  it('draws a 500-device run a page of 50 devices at a time, and "Show more" adds the next page', async () => {
    const runId = 'm-console500';
    const devices = Array.from({ length: 500 }, (_, i) => hexId(0xc0_0000 + i));
    const run = { ...makeRun(runId, devices), trigger: { kind: 'manual' as const, requestedBy: 'scale test', reason: 'INC-46' } };
    // A run record as the store holds one; its actions stay queued (nothing is sent for them: no message is queued).
    await stack.services.deps.runs.createRun(
      run,
      devices.map((id) => makeAction(runId, id)),
    );
    const page = await open(`${stack.apiUrl}/api/console/#/runs/${runId}`);
    await page.locator('section.device').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('section.device').count()).toBe(50);
    expect(await page.getByText('Showing 50 of 500 devices.').count()).toBe(1);
    await page.getByRole('button', { name: 'Show 50 more' }).click();
    await expect.poll(() => page.locator('section.device').count()).toBe(100);
    await page.close();
  });
});
