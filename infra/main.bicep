// The responder in one resource group: `azd up` (infra/README.md, the
// project README's "Deploy to Azure"). Checked in this repository only by
// tests that read these files (test/unit/infra); not compiled or deployed
// from the machines it was written on.

targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name: names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource. Flex Consumption is not in every region.')
param location string

@description('Days each evidence blob version is immutable (version-level WORM, unlocked until you lock it).')
@minValue(1)
param evidenceRetentionDays int = 90

@description('Create the operator API\'s Entra app registration with the Graph Bicep extension (needs Graph rights); false: pass operatorApiClientId.')
param createAppRegistration bool = true

@description('Client id of an existing operator API app registration (when createAppRegistration is false).')
param operatorApiClientId string = ''

@description('NCRONTAB (six fields, UTC on Flex) of the alert poller; empty: off. Example: 0 */5 * * * *')
param alertPollCron string = ''

@description('Defender for Endpoint API host; a regional host (e.g. https://eu.api.security.microsoft.com) may be closer.')
param defenderApiBaseUrl string = 'https://api.securitycenter.microsoft.com'

@description('E-mail address the alert rules mail (dead letters, 429s, stuck actions, function failures); empty: the rules fire in the portal only.')
param alertEmail string = ''

@description('Resource id of the Microsoft Sentinel (Log Analytics) workspace whose incidents feed the alerts queue through a Logic App; empty: off.')
param sentinelWorkspaceId string = ''

@description('Object id of the "Azure Security Insights" service principal; set: granted Microsoft Sentinel Automation Contributor on the resource group so Sentinel may run the playbook.')
param sentinelAutomationPrincipalId string = ''

// Notifications (docs/operations.md "Notifications and the alert comment"). No Key Vault in
// this deployment: the URLs (a Teams workflow URL carries its signature) and
// the webhook secret are secure parameters, kept out of deployment logs and
// outputs; they still land as app settings, readable by whoever may read the
// app's configuration.
@secure()
@description('Generic webhook for notifications (NOTIFY_WEBHOOK_URL, https); empty: off. Needs notifyWebhookSecret.')
param notifyWebhookUrl string = ''

@secure()
@description('The webhook\'s HMAC-SHA256 signing secret (NOTIFY_WEBHOOK_SECRET), at least 32 characters; empty with no webhook.')
param notifyWebhookSecret string = ''

@secure()
@description('Microsoft Teams Workflows webhook URL (NOTIFY_TEAMS_WORKFLOW_URL); empty: off.')
param notifyTeamsWorkflowUrl string = ''

@allowed(['true', 'false'])
@description('Comment on the Defender alert when its run ends (NOTIFY_DEFENDER_ALERT_COMMENTS); the grant script then adds Alert.ReadWrite.All.')
param notifyDefenderAlertComments string = 'false'

var tags = { 'azd-env-name': environmentName }
var token = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  name: 'identity'
  params: { location: location, tags: tags, name: 'id-responder-${token}' }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: { location: location, tags: tags, workspaceName: 'log-${token}', appInsightsName: 'appi-${token}' }
}

var deploymentContainerName = 'app-package-${take(token, 10)}'

module hostStorage 'modules/hostStorage.bicep' = {
  scope: rg
  name: 'hostStorage'
  params: { location: location, tags: tags, accountName: 'sthost${take(token, 18)}', deploymentContainerName: deploymentContainerName }
}

module evidenceStorage 'modules/evidenceStorage.bicep' = {
  scope: rg
  name: 'evidenceStorage'
  params: { location: location, tags: tags, accountName: 'stevd${take(token, 19)}', evidenceRetentionDays: evidenceRetentionDays }
}

module serviceBus 'modules/serviceBus.bicep' = {
  scope: rg
  name: 'serviceBus'
  params: { location: location, tags: tags, namespaceName: 'sb-responder-${token}' }
}

module appRegistration 'modules/appRegistration.bicep' = if (createAppRegistration) {
  scope: rg
  name: 'appRegistration'
  params: { uniqueName: 'mde-responder-${token}', displayName: 'MDE Live Response responder (${environmentName})' }
}

module roles 'modules/roles.bicep' = {
  scope: rg
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    hostStorageAccountName: hostStorage.outputs.accountName
    evidenceStorageAccountName: evidenceStorage.outputs.accountName
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module functionApp 'modules/functionApp.bicep' = {
  scope: rg
  name: 'functionApp'
  // The roles first: the app creates its tables and container at start-up.
  dependsOn: [roles]
  params: {
    location: location
    tags: tags
    planName: 'plan-${token}'
    appName: 'func-responder-${token}'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    hostStorageAccountName: hostStorage.outputs.accountName
    hostStorageBlobEndpoint: hostStorage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    evidenceBlobEndpoint: evidenceStorage.outputs.blobEndpoint
    evidenceTableEndpoint: evidenceStorage.outputs.tableEndpoint
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    appInsightsConnectionString: monitoring.outputs.connectionString
    operatorApiClientId: createAppRegistration ? appRegistration!.outputs.clientId : operatorApiClientId
    alertPollCron: alertPollCron
    defenderApiBaseUrl: defenderApiBaseUrl
    notifyWebhookUrl: notifyWebhookUrl
    notifyWebhookSecret: notifyWebhookSecret
    notifyTeamsWorkflowUrl: notifyTeamsWorkflowUrl
    notifyDefenderAlertComments: notifyDefenderAlertComments
  }
}

module alertRules 'modules/alertRules.bicep' = {
  scope: rg
  name: 'alertRules'
  params: {
    location: location
    tags: tags
    namePrefix: 'responder-${take(token, 8)}'
    workspaceId: monitoring.outputs.workspaceId
    serviceBusNamespaceId: serviceBus.outputs.namespaceId
    functionAppName: functionApp.outputs.name
    alertEmail: alertEmail
  }
}

// The Sentinel way in (infra/README.md, "Sentinel"), when a workspace is named.
var sentinelOn = !empty(sentinelWorkspaceId)
var sentinelWorkspace = split(sentinelWorkspaceId, '/')

module sentinelPlaybook 'modules/sentinelPlaybook.bicep' = if (sentinelOn) {
  scope: rg
  name: 'sentinelPlaybook'
  params: {
    location: location
    tags: tags
    identityName: 'id-sentinel-${token}'
    logicAppName: 'logic-responder-${token}'
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    defenderApiBaseUrl: defenderApiBaseUrl
    sentinelAutomationPrincipalId: sentinelAutomationPrincipalId
  }
}

// The rules live with the workspace (any resource group or subscription of the tenant).
module sentinelAutomation 'modules/sentinelAutomation.bicep' = if (sentinelOn) {
  scope: resourceGroup(sentinelOn ? sentinelWorkspace[2] : subscription().subscriptionId, sentinelOn ? sentinelWorkspace[4] : rg.name)
  name: 'sentinelAutomation-${take(token, 8)}'
  params: {
    workspaceName: sentinelOn ? last(sentinelWorkspace) : ''
    playbookId: sentinelOn ? sentinelPlaybook!.outputs.playbookId : ''
    namePrefix: 'responder-${take(token, 8)}'
  }
}

module workbook 'modules/workbook.bicep' = {
  scope: rg
  name: 'workbook'
  params: {
    location: location
    tags: tags
    workspaceId: monitoring.outputs.workspaceId
    serviceBusNamespaceId: serviceBus.outputs.namespaceId
    displayName: 'MDE Live Response responder (${environmentName})'
  }
}

// azd stores these in the environment (.azure/<env>/.env); the postprovision
// hook (scripts/grant-defender-roles.ts) reads RESPONDER_IDENTITY_PRINCIPAL_ID.
output AZURE_RESOURCE_GROUP string = rg.name
output RESPONDER_FUNCTION_APP_NAME string = functionApp.outputs.name
output RESPONDER_API_URL string = 'https://${functionApp.outputs.defaultHostName}/api'
output RESPONDER_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output RESPONDER_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output RESPONDER_OPERATOR_API_CLIENT_ID string = createAppRegistration ? appRegistration!.outputs.clientId : operatorApiClientId
output RESPONDER_EVIDENCE_STORAGE_ACCOUNT string = evidenceStorage.outputs.accountName
output RESPONDER_SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
// The postprovision hook's grant script adds Alert.ReadWrite.All when this is true.
output RESPONDER_NOTIFY_DEFENDER_ALERT_COMMENTS string = notifyDefenderAlertComments
// The Sentinel playbook's identity: the postprovision hook grants it Alert.Read.All (empty: Sentinel off).
output RESPONDER_SENTINEL_IDENTITY_PRINCIPAL_ID string = sentinelOn ? sentinelPlaybook!.outputs.identityPrincipalId : ''
// npm run library:sync (the postdeploy hook, on the operator's machine) reads the Defender API host under this name.
output DEFENDER_API_BASE_URL string = defenderApiBaseUrl
