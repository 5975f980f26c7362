import type { HttpFunctionOptions, ServiceBusQueueFunctionOptions, TimerFunctionOptions } from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionDeclaration } from '../../../functions/lib/binding.js';
import { registerFunctions, type FunctionsApp } from '../../../functions/lib/register.js';
import { FUNCTIONS } from '../../../functions/registry.js';
import { serveFunctions, type QueueSubscriber, type ServedFunctions } from '../../../local/host.js';
import { QUEUE_NAMES } from '../../../shared/bus/queues.js';
import { ManualClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import { createLogger, silentLogger } from '../../../shared/log.js';
import { invocationSink } from '../../../functions/lib/invocationLog.js';
import { InvocationContext } from '../../../local/functionsRuntime.js';
import { createServices } from '../../../shared/services/index.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { analyst } from '../../helpers/principals.js';
import { encodeClientPrincipal } from '../../../shared/auth/principal.js';

/** Records what the Function App host registers, as @azure/functions' `app` would receive it. */
class RecordingApp implements FunctionsApp {
  readonly queues = new Map<string, ServiceBusQueueFunctionOptions>();
  readonly routes = new Map<string, HttpFunctionOptions>();
  readonly timers = new Map<string, TimerFunctionOptions>();
  serviceBusQueue(name: string, options: ServiceBusQueueFunctionOptions): void {
    this.queues.set(name, options);
  }
  http(name: string, options: HttpFunctionOptions): void {
    this.routes.set(name, options);
  }
  timer(name: string, options: TimerFunctionOptions): void {
    this.timers.set(name, options);
  }
}

class RecordingQueues implements QueueSubscriber {
  readonly queues: string[] = [];
  register(queue: string): void {
    this.queues.push(queue);
  }
}

const settings = { STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' };
const hosts: ServedFunctions[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

async function bothHosts(declarations: readonly FunctionDeclaration[], env: Record<string, string>) {
  const config = loadConfig({ ...settings, ...env });
  const services = createServices(fakeDeps());
  const app = new RecordingApp();
  const azure = registerFunctions(app, declarations, config, () => Promise.resolve(services));
  const queues = new RecordingQueues();
  const clock = new ManualClock(Date.parse('2026-12-02T00:00:00Z'));
  const local = await serveFunctions(declarations, { services, config, clock, logger: silentLogger, queues });
  hosts.push(local);
  return { azure, local, app, queues, config };
}

describe('the Function App and the local host', () => {
  it('serve every declaration of the registry, the same ones, when every timer is on', async () => {
    const { azure, local } = await bothHosts(FUNCTIONS, { ALERT_POLL_CRON: '0 */5 * * * *' });
    const declared = FUNCTIONS.map((f) => f.name);
    expect(azure).toEqual(declared);
    expect(local.served).toEqual(declared);
  });

  it('both leave out a timer whose schedule is off (the alert poller without ALERT_POLL_CRON)', async () => {
    const { azure, local } = await bothHosts(FUNCTIONS, {});
    expect(azure).not.toContain('alertPoller');
    expect(local.served).toEqual(azure);
  });

  it('bind every queue of the queue table to one function, under its configured name', async () => {
    const { app, queues } = await bothHosts(FUNCTIONS, { QUEUE_ACTIONS: 'mde-actions' });
    expect([...queues.queues].sort()).toEqual([...QUEUE_NAMES].sort());
    expect([...app.queues.values()].map((o) => o.queueName).sort()).toEqual(['alerts', 'collect', 'mde-actions', 'notify', 'polls']);
    for (const options of app.queues.values()) expect(options.connection).toBe('ServiceBusConnection');
  });

  it('serve the same HTTP routes: the Function App under its route, the local host under /api', async () => {
    const { app, local } = await bothHosts(FUNCTIONS, { WEBSITE_AUTH_ENABLED: 'True' });
    const routes = FUNCTIONS.flatMap((f) => (f.kind === 'http' ? [f] : []));
    for (const route of routes) {
      // Sign-in and roles decide (guard.ts), not a shared function key.
      expect(app.routes.get(route.name)).toMatchObject({ route: route.route, methods: route.methods, authLevel: 'anonymous' });
    }
    const answer = await fetch(`${local.apiUrl ?? ''}/api/runs/NOT-A-RUN-ID`, {
      headers: { 'x-ms-client-principal': encodeClientPrincipal(analyst()) },
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('id: expected a run id');
  });

  it('put timers on the schedule from the config', async () => {
    const { app } = await bothHosts(FUNCTIONS, { SCHEDULE_SWEEP_CRON: '0 */10 * * * *', DEVICE_DIRECTORY_CRON: '0 */30 * * * *' });
    expect(app.timers.get('schedules')?.schedule).toBe('0 */10 * * * *');
    expect(app.timers.get('deviceDirectory')?.schedule).toBe('0 */30 * * * *');
  });

  it('both serve the device directory refresh by default, and both leave it out when it is off', async () => {
    const on = await bothHosts(FUNCTIONS, {});
    expect(on.azure).toContain('deviceDirectory');
    expect(on.local.served).toEqual(on.azure);
    const off = await bothHosts(FUNCTIONS, { DEVICE_DIRECTORY_CRON: 'off' });
    expect(off.azure).not.toContain('deviceDirectory');
    expect(off.local.served).toEqual(off.azure);
  });

  it('the local host reports only what it serves: with timers off, the schedules are not listed', async () => {
    const { local } = await bothHosts(FUNCTIONS, {});
    const withoutTimers = await serveFunctions(FUNCTIONS, {
      services: createServices(fakeDeps()),
      config: loadConfig(settings),
      clock: new ManualClock(0),
      logger: silentLogger,
      queues: new RecordingQueues(),
      timers: false,
    });
    hosts.push(withoutTimers);
    expect(withoutTimers.served).not.toEqual(local.served);
  });
});

describe('the Function App host', () => {
  it('hands the host an error without the secrets the handler put in it', async () => {
    const app = new RecordingApp();
    const leaky: FunctionDeclaration = {
      kind: 'timer',
      name: 'leaky',
      schedule: () => '0 * * * * *',
      handler: () => Promise.reject(new Error('GET https://x.blob.core.windows.net/f?sig=SECRETSIG failed; AccountKey=SECRETKEY')),
    };
    registerFunctions(app, [leaky], loadConfig(settings), () => Promise.resolve(createServices(fakeDeps())));
    const handler = app.timers.get('leaky')?.handler as unknown as (timer: unknown, context: unknown) => Promise<unknown>;
    const thrown = await handler({}, { log: () => undefined }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(thrown?.message).toContain('failed');
    expect(`${thrown?.message ?? ''} ${thrown?.stack ?? ''}`).not.toMatch(/SECRETSIG|SECRETKEY/);
  });

  it('files what a handler logs under its invocation at its real severity, and what is logged outside any invocation elsewhere', async () => {
    const outside: string[] = [];
    const logger = createLogger(invocationSink((level, record) => outside.push(`${level} ${String(record.message)}`)));
    const services = createServices({ ...fakeDeps(), logger });
    const app = new RecordingApp();
    const chatty: FunctionDeclaration = {
      kind: 'timer',
      name: 'chatty',
      schedule: () => '0 * * * * *',
      handler: async (s) => {
        await Promise.resolve();
        s.deps.logger.log('warn', 'device busy', { runId: 'a-1', deviceId: 'd-1' });
        s.deps.logger.log('error', 'gave up', { runId: 'a-1', sas: 'https://x.blob.core.windows.net/f?sig=SECRETSIG' });
      },
    };
    registerFunctions(app, [chatty], loadConfig(settings), () => Promise.resolve(services));
    const filed: string[] = [];
    const context = new InvocationContext({
      invocationId: 'inv-1',
      functionName: 'chatty',
      logHandler: (level, ...args) => filed.push(`${level} ${args.map(String).join(' ')}`),
    });
    const handler = app.timers.get('chatty')?.handler as unknown as (timer: unknown, context: unknown) => Promise<unknown>;
    await handler({}, context);
    logger.log('info', 'worker started');

    expect(filed.filter((line) => !line.includes('"trigger"'))).toEqual([
      `warning ${JSON.stringify({ runId: 'a-1', deviceId: 'd-1', message: 'device busy' })}`,
      expect.stringMatching(/^error \{"runId":"a-1","sas":"[^"]*","message":"gave up"\}$/),
    ]);
    expect(filed.join('\n')).not.toContain('SECRETSIG');
    expect(outside).toEqual(['info worker started']);
  });
});
