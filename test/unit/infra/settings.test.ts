import type { HttpFunctionOptions, ServiceBusQueueFunctionOptions, TimerFunctionOptions } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { registerFunctions, type FunctionsApp } from '../../../functions/lib/register.js';
import { FUNCTIONS } from '../../../functions/registry.js';
import { QUEUE_NAMES, queueSetting } from '../../../shared/bus/queues.js';
import { loadConfig, settingsSchema } from '../../../shared/config.js';
import { createServices } from '../../../shared/services/index.js';
import { WORKER_ENVIRONMENT, WORKER_NODE_ARGUMENTS } from '../../../shared/workerRuntime.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { literal, namesBicep, objectVar, readBicep, stringVar } from './bicep.js';

const functionApp = readBicep('modules/functionApp.bicep');
const main = readBicep('main.bicep');
const names = namesBicep();

/** A module parameter main.bicep passes through from its own parameter of the same name: that parameter's default. */
function passedDefault(raw: string): string | number | boolean | undefined {
  if (!/^\w+$/.test(raw) || !new RegExp(`^\\s+${raw}: ${raw}$`, 'm').test(main)) return undefined;
  const m = new RegExp(`^param ${raw} \\w+ = (.+)$`, 'm').exec(main);
  return m?.[1] === undefined ? undefined : literal(m[1].trim());
}

/** An app setting's value as the template gives it: a literal or a shared name resolved, else an expression. */
type Value = { kind: 'value'; value: string } | { kind: 'expression'; raw: string };

function appSettings(): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [key, raw] of objectVar(functionApp, 'appSettings')) {
    const known = literal(raw) ?? names.get(raw) ?? stringVar(functionApp, raw) ?? passedDefault(raw);
    out.set(key, known === undefined ? { kind: 'expression', raw } : { kind: 'value', value: String(known) });
  }
  return out;
}

/** The environment the app would see: expressions (endpoints, ids) stand in as a URL; the platform adds its own. */
function azureEnvironment(): Record<string, string> {
  const env: Record<string, string> = { WEBSITE_AUTH_ENABLED: 'True', WEBSITE_INSTANCE_ID: 'instance' };
  for (const [key, value] of appSettings()) env[key] = value.kind === 'value' ? value.value : 'https://expression.invalid/';
  return env;
}

/** Settings the Functions host, the platform or the Azure SDK read, not shared/config.ts. */
const PLATFORM_SETTINGS = new Set([
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'ServiceBusConnection__credential',
  'ServiceBusConnection__clientId',
  'AZURE_CLIENT_ID',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'languageWorkers__node__arguments',
  ...Object.keys(WORKER_ENVIRONMENT),
]);

class ConnectionRecorder implements FunctionsApp {
  readonly connections = new Set<string>();
  serviceBusQueue(_name: string, options: ServiceBusQueueFunctionOptions): void {
    if (options.connection !== undefined) this.connections.add(options.connection);
  }
  http(_name: string, _options: HttpFunctionOptions): void {}
  timer(_name: string, _options: TimerFunctionOptions): void {}
}

describe("the Function App's settings (infra/modules/functionApp.bicep)", () => {
  it('give loadConfig everything it needs to run in Azure: Service Bus, storage by identity, App Service sign-in', () => {
    const config = loadConfig(azureEnvironment());

    expect(config.bus.kind).toBe('servicebus');
    expect(config.storage.kind).toBe('identity');
    expect(config.auth.mode).toBe('appservice');
  });

  it('name only settings the app reads, or the host, the platform or the Azure SDK documents', () => {
    const appKeys = new Set(Object.keys(settingsSchema.shape));

    const unknown = [...appSettings().keys()].filter((key) => !appKeys.has(key) && !PLATFORM_SETTINGS.has(key));

    expect(unknown).toEqual([]);
  });

  it('give the tables, the evidence container and the queues the names the templates create', () => {
    const settings = appSettings();
    const config = loadConfig(azureEnvironment());
    const tables = [...names].filter(([k]) => k.startsWith('tableNames.'));

    for (const [key, value] of tables) expect(settings.get(key.slice('tableNames.'.length)), key).toEqual({ kind: 'value', value });
    expect(config.storage.evidenceContainer).toBe(names.get('evidenceContainerName'));
    for (const queue of QUEUE_NAMES)
      expect(settings.get(queueSetting(queue)), queue).toEqual({ kind: 'value', value: names.get(`queueNames.${queue}`) });
  });

  it('set every table setting of shared/config.ts that Azure uses, and the storage template creates each table it names', () => {
    const tableSettings = Object.keys(settingsSchema.shape).filter((key) => key.endsWith('_TABLE') && key !== 'BUS_SENT_IDS_TABLE');
    const evidenceStorage = readBicep('modules/evidenceStorage.bicep');

    expect(tableSettings.filter((key) => !names.has(`tableNames.${key}`))).toEqual([]);
    expect(evidenceStorage).toMatch(/for table in items\(tableNames\): \{[^}]*name: table\.value/);
  });

  it('identify the managed identity for every connection a trigger uses', () => {
    const recorder = new ConnectionRecorder();
    registerFunctions(recorder, FUNCTIONS, loadConfig(azureEnvironment()), () => Promise.resolve(createServices(fakeDeps())));
    const settings = appSettings();

    expect([...recorder.connections]).not.toEqual([]);
    for (const connection of recorder.connections) {
      expect(settings.get(`${connection}__fullyQualifiedNamespace`)?.kind, connection).toBe('expression');
      expect(settings.get(`${connection}__credential`), connection).toEqual({ kind: 'value', value: 'managedidentity' });
      expect(settings.get(`${connection}__clientId`)?.kind, connection).toBe('expression');
    }
    expect(settings.get('AzureWebJobsStorage__credential')).toEqual({ kind: 'value', value: 'managedidentity' });
    expect(settings.get('AzureWebJobsStorage__clientId')?.kind).toBe('expression');
  });

  it("start the Node.js worker with the app's arguments and environment (shared/workerRuntime.ts)", () => {
    const settings = appSettings();

    expect(settings.get('languageWorkers__node__arguments')).toEqual({ kind: 'value', value: WORKER_NODE_ARGUMENTS.join(' ') });
    for (const [name, value] of Object.entries(WORKER_ENVIRONMENT)) expect(settings.get(name), name).toEqual({ kind: 'value', value });
  });

  it('carry no key, no connection string and none of the settings Flex Consumption deprecates', () => {
    const settings = appSettings();
    const deprecated = [
      'AzureWebJobsStorage',
      'FUNCTIONS_WORKER_RUNTIME',
      'FUNCTIONS_EXTENSION_VERSION',
      'WEBSITE_NODE_DEFAULT_VERSION',
      'WEBSITE_RUN_FROM_PACKAGE',
      'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
      'WEBSITE_CONTENTSHARE',
      'APPINSIGHTS_INSTRUMENTATIONKEY',
      'STORAGE_CONNECTION_STRING',
      'ServiceBusConnection',
    ];

    expect(deprecated.filter((key) => settings.has(key))).toEqual([]);
    expect(functionApp).not.toMatch(/AccountKey=|SharedAccessKey|listKeys\(/);
  });
});
