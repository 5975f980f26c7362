import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { poisonQueueName } from '../../../shared/bus/poison.js';
import { QUEUE_NAMES } from '../../../shared/bus/queues.js';
import { loadConfig } from '../../../shared/config.js';
import { durationMs, literal, namesBicep, objectVar, readBicep, resourcesOf } from './bicep.js';

const text = readBicep('modules/serviceBus.bicep');
const properties = new Map([...objectVar(text, 'queueProperties')].map(([k, v]) => [k, literal(v)]));
const host = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../host.json'), 'utf8')) as {
  functionTimeout: string;
  extensions: { serviceBus: { maxAutoLockRenewalDuration: string } };
};
const defaults = loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' });

function duration(key: string): number {
  const value = properties.get(key);
  if (typeof value !== 'string') throw new Error(`${key} is not a literal duration`);
  return durationMs(value);
}

describe('the Service Bus queues (infra/modules/serviceBus.bicep)', () => {
  it('create every queue of the queue table, each with its poison queue', () => {
    const names = namesBicep();
    const queues = resourcesOf(text, 'Microsoft.ServiceBus/namespaces/queues');

    expect(
      [...names.keys()]
        .filter((k) => k.startsWith('queueNames.'))
        .map((k) => k.slice('queueNames.'.length))
        .sort(),
    ).toEqual([...QUEUE_NAMES].sort());
    expect(poisonQueueName('q')).toBe(`q${String(names.get('poisonQueueSuffix'))}`);
    expect(text).toMatch(/^var logicalQueues = \[for queue in items\(queueNames\): queue\.value\]$/m);
    expect(text).toMatch(/^var allQueues = concat\(logicalQueues, map\(logicalQueues, queue => '\$\{queue\}\$\{poisonQueueSuffix\}'\)\)$/m);
    expect(queues).toHaveLength(1);
    expect(queues[0]?.body).toMatch(/name: queue\s+properties: queueProperties/);
  });

  it('give every queue duplicate detection, a delivery limit and dead-lettering of expired messages', () => {
    expect(properties.get('requiresDuplicateDetection')).toBe(true);
    expect(properties.get('maxDeliveryCount')).toBeGreaterThanOrEqual(1);
    expect(properties.get('deadLetteringOnMessageExpiration')).toBe(true);
  });

  it('lock a message no longer than Service Bus allows and host.json renews, and renew it for the whole functionTimeout', () => {
    const renewal = durationMs(host.extensions.serviceBus.maxAutoLockRenewalDuration);

    expect(duration('lockDuration')).toBeLessThanOrEqual(durationMs('PT5M'));
    expect(duration('lockDuration')).toBeLessThan(renewal);
    expect(renewal).toBeGreaterThanOrEqual(durationMs(host.functionTimeout));
  });

  it('drop a repeated message id for the window the local bus uses', () => {
    expect(defaults.bus.kind === 'storage-queues' && defaults.bus.duplicateDetectionWindowMs).toBe(
      duration('duplicateDetectionHistoryTimeWindow'),
    );
  });

  it('keep a message longer than the longest wait the app schedules and the reconciliation horizon', () => {
    expect(duration('defaultMessageTimeToLive')).toBeGreaterThan(defaults.limits.offlineDeadlineMs);
    expect(duration('defaultMessageTimeToLive')).toBeGreaterThan(defaults.reconcile.horizonMs);
  });

  it('run on Standard (duplicate detection) with SAS keys off', () => {
    expect(text).toMatch(/sku: \{ name: 'Standard', tier: 'Standard' \}/);
    expect(text).toMatch(/disableLocalAuth: true/);
  });
});
