import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INFRA, readBicep, resourcesOf } from './bicep.js';
import { INSTRUMENTS } from '../../../shared/telemetry/instruments.js';

const root = path.resolve(INFRA, '..');
const alertRules = readBicep('modules/alertRules.bicep');

/** Every TypeScript file under `dir`, as text. */
function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(root, dir, f), 'utf8'));
}

/** The messages the app logs at warn or error level (`log('warn', '...'` and `log('error', '...'`). */
const loggedForAnOperator = sources('shared').flatMap((text) =>
  [...text.matchAll(/log\(\s*'(?:warn|error)',\s*(?:[^,]*\?\s*)?'([^']+)'/g)].map((m) => m[1] ?? ''),
);

describe('the alert rules (infra/modules/alertRules.bicep)', () => {
  it('alert on records the code really writes, at warn or error level', () => {
    const searched = [...alertRules.matchAll(/Message has "([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(searched.sort()).toEqual(['Defender answered 429', 'left for an operator']);
    for (const text of searched) {
      expect(
        loggedForAnOperator.some((message) => message.includes(text)),
        `no warn/error log message contains "${text}"`,
      ).toBe(true);
    }
  });

  it('watch both kinds of dead letters: Service Bus dead-letter queues and the app’s poison queues of every queue', () => {
    const metricAlerts = resourcesOf(alertRules, 'Microsoft.Insights/metricAlerts');
    const bodies = metricAlerts.map((r) => r.body).join('\n');
    expect(bodies).toMatch(/metricName: 'DeadletteredMessages'[\s\S]*?values: \['\*'\]/);
    expect(bodies).toMatch(/metricName: 'ActiveMessages'[\s\S]*?values: poisonQueues/);
    expect(alertRules).toMatch(/var poisonQueues = \[for queue in items\(queueNames\): '\$\{queue\.value\}\$\{poisonQueueSuffix\}'\]/);
    expect(alertRules).toMatch(/import \{ queueNames, poisonQueueSuffix \} from '\.\.\/names\.bicep'/);
  });

  it('alert on failed invocations of the Function App, and read only its records', () => {
    expect(alertRules).toMatch(/AppRequests \| where AppRoleName =~ "\$\{functionAppName\}" \| where Success == false/);
    const queries = [...alertRules.matchAll(/query: '([^']+)'/g)].map((m) => m[1] ?? '');
    expect(queries).toHaveLength(4);
    for (const query of queries) expect(query).toContain('AppRoleName =~ "${functionAppName}"');
  });

  it('alert on a metric the code really records when notifications stay owed longer than three reconcile firings', () => {
    const names = [...alertRules.matchAll(/AppMetrics[^']*Name == "([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(names).toEqual(['responder.notify.owed_oldest_age']);
    expect(Object.values(INSTRUMENTS).map((i) => i.name)).toContain(names[0]);
    expect(alertRules).toMatch(/Name == "responder\.notify\.owed_oldest_age" \| where Max > 900000/);
  });

  it('are deployed by main.bicep with the e-mail address azd passes', () => {
    const main = readBicep('main.bicep');
    expect(main).toMatch(/module alertRules 'modules\/alertRules\.bicep'/);
    expect(main).toMatch(/alertEmail: alertEmail/);
    const parameters = JSON.parse(readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: string }>;
    };
    expect(parameters.parameters.alertEmail?.value).toBe('${RESPONDER_ALERT_EMAIL}');
  });
});
