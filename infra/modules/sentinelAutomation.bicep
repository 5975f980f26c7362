// The Sentinel automation rules that run the responder's playbook
// (modules/sentinelPlaybook.bicep), deployed into the Sentinel workspace's
// resource group. Incident triggers, not alert triggers: with Defender XDR
// incident integration (or Sentinel in the Defender portal) Defender for
// Endpoint alerts reach Sentinel inside incidents, and "when alert is created"
// fires only for alerts of Sentinel's own scheduled and NRT analytics rules.
// Two rules: an incident created, and alerts added to an incident later (the
// playbook sends every Defender alert of the incident; the queue's duplicate
// detection and the app's run ids absorb the ones sent before).

param workspaceName string
param playbookId string
param namePrefix string

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

var rules = [
  {
    key: 'created'
    displayName: '${namePrefix}: send Defender alerts of a new incident to the responder'
    triggersWhen: 'Created'
    conditions: []
  }
  {
    key: 'alerts-added'
    displayName: '${namePrefix}: send Defender alerts added to an incident to the responder'
    triggersWhen: 'Updated'
    conditions: [
      {
        conditionType: 'PropertyArrayChanged'
        conditionProperties: { arrayType: 'Alerts', changeType: 'Added' }
      }
    ]
  }
]

resource automationRules 'Microsoft.SecurityInsights/automationRules@2025-09-01' = [
  for (rule, i) in rules: {
    scope: workspace
    name: guid(workspace.id, playbookId, rule.key)
    properties: {
      displayName: rule.displayName
      order: 100 + i
      triggeringLogic: {
        isEnabled: true
        triggersOn: 'Incidents'
        triggersWhen: rule.triggersWhen
        conditions: rule.conditions
      }
      actions: [
        {
          order: 1
          actionType: 'RunPlaybook'
          actionConfiguration: { logicAppResourceId: playbookId, tenantId: tenant().tenantId }
        }
      ]
    }
  }
]
