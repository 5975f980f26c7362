import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAlerts } from '../../../shared/alerts/parseAlert.js';
import { INFRA, namesBicep, readBicep, resourcesOf } from './bicep.js';

const root = path.resolve(INFRA, '..');
const workflowText = readFileSync(path.join(INFRA, 'sentinel/workflow.json'), 'utf8');
const playbookModule = readBicep('modules/sentinelPlaybook.bicep');
const automationModule = readBicep('modules/sentinelAutomation.bicep');
const main = readBicep('main.bicep');

interface Action {
  type: string;
  inputs?: {
    method?: string;
    uri?: string;
    queries?: Record<string, string>;
    headers?: Record<string, string>;
    body?: unknown;
    authentication?: { type: string; identity: string; audience: string };
    path?: string;
    host?: { connection: { name: string } };
  };
  actions?: Record<string, Action>;
  else?: { actions: Record<string, Action> };
  expression?: unknown;
  foreach?: string;
}
const workflow = JSON.parse(workflowText) as { triggers: Record<string, Action>; actions: Record<string, Action> };

/** Every action of the workflow, nested ones included, by name. */
function allActions(actions: Record<string, Action>): Map<string, Action> {
  const out = new Map<string, Action>();
  for (const [name, action] of Object.entries(actions)) {
    out.set(name, action);
    for (const [n, a] of allActions({ ...(action.actions ?? {}), ...(action.else?.actions ?? {}) })) out.set(n, a);
  }
  return out;
}
const actions = allActions(workflow.actions);
const https = [...actions.entries()].filter(([, a]) => a.type === 'Http');
const getAlert = actions.get('Get_Defender_alert');
const send = actions.get('Send_to_the_alerts_queue');

/** What the Defender API answers the playbook's GET: a collection page of Defender API alerts (mde-api.md 7.1). */
const fixture = JSON.parse(readFileSync(path.join(root, 'test/fixtures/alerts/defender-api-alert.json'), 'utf8')) as { id: string };
const defenderAnswer = (alerts: unknown[]) => ({
  '@odata.context': 'https://api.securitycenter.microsoft.com/api/$metadata#Alerts',
  value: alerts,
});

describe('the Sentinel playbook (infra/sentinel/workflow.json, modules/sentinelPlaybook.bicep)', () => {
  it('runs on the Microsoft Sentinel incident trigger, for each Defender for Endpoint alert of the incident', () => {
    const [trigger, ...others] = Object.values(workflow.triggers);
    expect(others).toEqual([]);
    expect(trigger?.type).toBe('ApiConnectionWebhook');
    expect(trigger?.inputs?.path).toBe('/incident-creation');
    expect(trigger?.inputs?.host?.connection.name).toBe("@parameters('$connections')['azuresentinel']['connectionId']");
    expect(workflow.actions.For_each_alert?.foreach).toContain("triggerBody()?['object']?['properties']?['Alerts']");
    const condition = JSON.stringify(actions.get('Is_a_Defender_for_Endpoint_alert')?.expression);
    expect(condition).toContain('Microsoft Defender Advanced Threat Protection');
    expect(condition).toContain("['providerAlertId']");
  });

  it('asks Defender for the alert as the alert poller reads it, and sends Defender’s answer unchanged', () => {
    expect(getAlert?.inputs?.method).toBe('GET');
    expect(getAlert?.inputs?.uri).toBe('__DEFENDER_API_BASE_URL__/api/alerts');
    expect(getAlert?.inputs?.queries).toEqual({
      $filter: "id eq '@{items('For_each_alert')?['properties']?['providerAlertId']}'",
      $expand: 'evidence',
    });
    // The poller's own query asks the same endpoint with $expand=evidence.
    expect(readFileSync(path.join(root, 'shared/defender/odata.ts'), 'utf8')).toContain("params.set('$expand', 'evidence')");
    expect(send?.inputs?.method).toBe('POST');
    expect(send?.inputs?.body).toBe("@body('Get_Defender_alert')");
    expect(send?.inputs?.headers?.['Content-Type']).toBe('application/json');
    expect(send?.inputs?.headers?.BrokerProperties).toMatch(/"MessageId":"sentinel\./);
  });

  it('sends a body the app’s alert intake accepts: the parser takes Defender’s answer, as an object or as JSON text', () => {
    for (const body of [defenderAnswer([fixture]), JSON.stringify(defenderAnswer([fixture]))]) {
      const parsed = parseAlerts(body);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.value.shape).toBe('collection');
      expect(parsed.value.alerts.map((a) => a.id)).toEqual([fixture.id]);
      expect(parsed.value.alerts[0]?.source).toBe('defender-api');
      expect(parsed.value.rejected).toEqual([]);
    }
  });

  it('sends only when Defender knew the alert: an empty answer would be dead-lettered', () => {
    expect(parseAlerts(defenderAnswer([])).ok).toBe(false);
    const guard = actions.get('Defender_knows_the_alert');
    expect(JSON.stringify(guard?.expression)).toContain("length(coalesce(body('Get_Defender_alert')?['value']");
    expect(Object.keys(guard?.actions ?? {})).toEqual(['Send_to_the_alerts_queue']);
  });

  it('sends to the alerts queue the app reads (names.bicep), signed in with the playbook’s identity', () => {
    expect(send?.inputs?.uri).toBe('https://__SERVICE_BUS_HOST__/__ALERTS_QUEUE__/messages');
    expect(playbookModule).toMatch(/'__ALERTS_QUEUE__',\s+queueNames\.alerts/);
    expect(readBicep('modules/functionApp.bicep')).toMatch(/^\s+QUEUE_ALERTS: queueNames\.alerts$/m);
    expect(namesBicep().get('queueNames.alerts')).toBe('alerts');
    expect(https.map(([name, a]) => [name, a.inputs?.authentication])).toEqual([
      [
        'Get_Defender_alert',
        { type: 'ManagedServiceIdentity', identity: '__IDENTITY_ID__', audience: 'https://api.securitycenter.microsoft.com' },
      ],
      [
        'Send_to_the_alerts_queue',
        { type: 'ManagedServiceIdentity', identity: '__IDENTITY_ID__', audience: 'https://servicebus.azure.net' },
      ],
    ]);
    const placeholders = [...new Set([...workflowText.matchAll(/__[A-Z_]+__/g)].map((m) => m[0]))].sort();
    expect(placeholders).toEqual(['__ALERTS_QUEUE__', '__DEFENDER_API_BASE_URL__', '__IDENTITY_ID__', '__SERVICE_BUS_HOST__']);
    for (const placeholder of placeholders) expect(playbookModule).toContain(`'${placeholder}'`);
    expect(playbookModule).toMatch(/loadTextContent\('\.\.\/sentinel\/workflow\.json'\)/);
  });

  it('gives the playbook’s own identity Service Bus Data Sender on the alerts queue only', () => {
    const assignments = resourcesOf(playbookModule, 'Microsoft.Authorization/roleAssignments');
    const sender = assignments.find((a) => a.symbol === 'alertsSender');
    expect(sender?.body).toMatch(/^\s+scope: alertsQueue$/m);
    expect(sender?.body).toContain('roleIds.serviceBusDataSender');
    expect(sender?.body).toContain('principalId: identity.properties.principalId');
    expect(playbookModule).toMatch(
      /resource alertsQueue 'Microsoft\.ServiceBus\/namespaces\/queues@[^']+' existing = \{\s+parent: serviceBus\s+name: queueNames\.alerts/,
    );
    // The only other assignment: Sentinel's service account, on this resource group, when its object id is given.
    expect(assignments.map((a) => a.symbol).sort()).toEqual(['alertsSender', 'sentinelRunsPlaybooks']);
    expect(playbookModule).toMatch(/resource sentinelRunsPlaybooks '[^']+' = if \(!empty\(sentinelAutomationPrincipalId\)\)/);
    expect(namesBicep().get('roleIds.sentinelAutomationContributor')).toBe('f4c81013-99ee-4d62-a7ee-b3f1f648599a');
    expect(playbookModule).toMatch(/userAssignedIdentities: \{ '\$\{identity\.id\}': \{\} \}/);
  });

  it('is run by two incident automation rules: an incident created, and alerts added to one', () => {
    const [rules] = resourcesOf(automationModule, 'Microsoft.SecurityInsights/automationRules');
    expect(rules?.body).toMatch(/scope: workspace/);
    expect(rules?.body).toMatch(/triggersOn: 'Incidents'/);
    expect(rules?.body).toMatch(
      /actionType: 'RunPlaybook'\s+actionConfiguration: \{ logicAppResourceId: playbookId, tenantId: tenant\(\)\.tenantId \}/,
    );
    expect([...automationModule.matchAll(/triggersWhen: '(\w+)'/g)].map((m) => m[1])).toEqual(['Created', 'Updated']);
    expect(automationModule).toMatch(
      /conditionType: 'PropertyArrayChanged'\s+conditionProperties: \{ arrayType: 'Alerts', changeType: 'Added' \}/,
    );
  });

  it('is off unless a Sentinel workspace is named, and its identity gets Alert.Read.All alone after provisioning', () => {
    expect(main).toMatch(/^param sentinelWorkspaceId string = ''$/m);
    expect(main).toMatch(/^var sentinelOn = !empty\(sentinelWorkspaceId\)$/m);
    expect(main).toMatch(/^module sentinelPlaybook 'modules\/sentinelPlaybook\.bicep' = if \(sentinelOn\)/m);
    expect(main).toMatch(/^module sentinelAutomation 'modules\/sentinelAutomation\.bicep' = if \(sentinelOn\)/m);
    expect(main).toMatch(
      /^output RESPONDER_SENTINEL_IDENTITY_PRINCIPAL_ID string = sentinelOn \? sentinelPlaybook!\.outputs\.identityPrincipalId : ''$/m,
    );
    const parameters = JSON.parse(readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: string }>;
    };
    expect(parameters.parameters.sentinelWorkspaceId?.value).toBe('${RESPONDER_SENTINEL_WORKSPACE_ID}');
    expect(parameters.parameters.sentinelAutomationPrincipalId?.value).toBe('${RESPONDER_SENTINEL_AUTOMATION_PRINCIPAL_ID}');
    const azureYaml = readFileSync(path.join(root, 'azure.yaml'), 'utf8');
    expect(azureYaml).toContain(
      'if [ -n "$RESPONDER_SENTINEL_IDENTITY_PRINCIPAL_ID" ]; then node dist/scripts/grant-defender-roles.js --principal-id "$RESPONDER_SENTINEL_IDENTITY_PRINCIPAL_ID" --only Alert.Read.All; fi',
    );
    expect(azureYaml).toContain(
      'if ($env:RESPONDER_SENTINEL_IDENTITY_PRINCIPAL_ID) { node dist/scripts/grant-defender-roles.js --principal-id "$env:RESPONDER_SENTINEL_IDENTITY_PRINCIPAL_ID" --only Alert.Read.All }',
    );
  });
});
