// The Sentinel way in (infra/README.md, "Sentinel"; off unless
// sentinelWorkspaceId is set): a Consumption Logic App, run by the automation
// rules of modules/sentinelAutomation.bicep, that takes each Defender for
// Endpoint alert of a Sentinel incident, asks the Defender API for it in the
// shape the alert poller reads (GET /api/alerts?$filter=id eq '...'&$expand=evidence),
// and posts Defender's answer unchanged to the Service Bus alerts queue (REST
// Send Message). The workflow is infra/sentinel/workflow.json;
// test/unit/infra/sentinel.test.ts runs the body it sends through the app's
// alert parser.
//
// Its own user-assigned identity, not the app's: it may send to the alerts
// queue only (Azure Service Bus Data Sender on that queue) and read alerts
// (Alert.Read.All on WindowsDefenderATP, granted by the postprovision hook),
// nothing else; and its Defender calls do not spend the app's quota.

import { queueNames, roleIds } from '../names.bicep'

param location string
param tags object
param identityName string
param logicAppName string
param serviceBusNamespaceName string
@description('<namespace>.servicebus.windows.net')
param serviceBusFullyQualifiedNamespace string
param defenderApiBaseUrl string
@description('Object id of the "Azure Security Insights" service principal in this tenant; set: it is granted Microsoft Sentinel Automation Contributor on this resource group (needed to run the playbook); empty: grant it in Sentinel (Settings > Playbook permissions).')
param sentinelAutomationPrincipalId string = ''

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource alertsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: serviceBus
  name: queueNames.alerts
}

// Send to the alerts queue, and nothing else.
resource alertsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: alertsQueue
  name: guid(alertsQueue.id, identity.id, roleIds.serviceBusDataSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.serviceBusDataSender)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Sentinel runs a playbook only when its service account holds this role on the playbook's resource group.
resource sentinelRunsPlaybooks 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(sentinelAutomationPrincipalId)) {
  name: guid(resourceGroup().id, sentinelAutomationPrincipalId, roleIds.sentinelAutomationContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.sentinelAutomationContributor)
    principalId: sentinelAutomationPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The Microsoft Sentinel connector, for the incident trigger only, signed in with the identity.
var sentinelApiId = subscriptionResourceId('Microsoft.Web/locations/managedApis', location, 'azuresentinel')

resource sentinelConnection 'Microsoft.Web/connections@2016-06-01' = {
  name: '${logicAppName}-azuresentinel'
  location: location
  tags: tags
  kind: 'V1'
  properties: {
    displayName: '${logicAppName} (managed identity)'
    api: { id: sentinelApiId }
    // Managed-identity auth for a single-auth connector (Learn, Logic Apps managed identities); BCP037 expected.
    parameterValueType: 'Alternative'
  }
}

var definition = json(replace(
  replace(
    replace(
      replace(loadTextContent('../sentinel/workflow.json'), '__IDENTITY_ID__', identity.id),
      '__DEFENDER_API_BASE_URL__',
      defenderApiBaseUrl
    ),
    '__SERVICE_BUS_HOST__',
    serviceBusFullyQualifiedNamespace
  ),
  '__ALERTS_QUEUE__',
  queueNames.alerts
))

resource playbook 'Microsoft.Logic/workflows@2019-05-01' = {
  name: logicAppName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  dependsOn: [alertsSender]
  properties: {
    state: 'Enabled'
    definition: definition
    parameters: {
      '$connections': {
        value: {
          azuresentinel: {
            connectionId: sentinelConnection.id
            connectionName: sentinelConnection.name
            id: sentinelApiId
            connectionProperties: {
              authentication: { type: 'ManagedServiceIdentity', identity: identity.id }
            }
          }
        }
      }
    }
  }
}

output playbookId string = playbook.id
output identityPrincipalId string = identity.properties.principalId
