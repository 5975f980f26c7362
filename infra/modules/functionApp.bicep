// The Function App on Flex Consumption (Linux, Node 22) with the user-assigned
// identity, identity-based connections only, every setting shared/config.ts
// needs in Azure, and App Service Authentication in front of the operator API.

import { queueNames, evidenceContainerName, tableNames } from '../names.bicep'

param location string
param tags object
param planName string
param appName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string
@description('Client id of that identity (the __clientId settings, AZURE_CLIENT_ID).')
param identityClientId string

param hostStorageAccountName string
@description('The host storage blob endpoint, ending in /.')
param hostStorageBlobEndpoint string
param deploymentContainerName string

param evidenceBlobEndpoint string
param evidenceTableEndpoint string
param serviceBusFullyQualifiedNamespace string
param appInsightsConnectionString string

@description('Application (client) id of the operator API\'s Entra app registration.')
param operatorApiClientId string

@description('NCRONTAB of the alert poller; empty: the poller is off (shared/config.ts ALERT_POLL_CRON).')
param alertPollCron string

@description('The Defender API host (DEFENDER_API_BASE_URL): a regional host may be closer to the tenant.')
param defenderApiBaseUrl string

@secure()
@description('NOTIFY_WEBHOOK_URL; empty: no webhook.')
param notifyWebhookUrl string
@secure()
@description('NOTIFY_WEBHOOK_SECRET.')
param notifyWebhookSecret string
@secure()
@description('NOTIFY_TEAMS_WORKFLOW_URL; empty: no Teams card.')
param notifyTeamsWorkflowUrl string
@allowed(['true', 'false'])
@description('NOTIFY_DEFENDER_ALERT_COMMENTS.')
param notifyDefenderAlertComments string

@allowed([512, 2048, 4096])
@description('Memory per instance, MB. 2048 holds a 3 GB evidence transfer (about 150 MiB resident) many times over.')
param instanceMemoryMB int = 2048

@description('Most instances Flex may scale to. Pacing is tenant-wide (Table Storage), so any number is safe for Defender\'s limits.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

// The worker's Node arguments and environment (shared/workerRuntime.ts,
// WORKER_NODE_ARGUMENTS and WORKER_ENVIRONMENT; a test keeps them equal).
// UNVERIFIED on Flex: no source says either reaches the worker there; the app
// logs a warning when it runs without them.
var workerNodeArguments = '--max-semi-space-size=1 --heap-growing-percent=200'
var workerMallocArenaMax = '2'

// Every app setting. An appsettings deployment replaces the whole set, so all
// of them are here. Not here on purpose: FUNCTIONS_WORKER_RUNTIME,
// WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENT* (deprecated on Flex: the runtime
// and the package come from functionAppConfig), APPINSIGHTS_INSTRUMENTATIONKEY,
// any plain AzureWebJobsStorage value (read as a connection string), and every
// key or connection string.
var appSettings = {
  // Host storage through the identity (accountName: the form reported to work on Flex).
  AzureWebJobsStorage__accountName: hostStorageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // The Service Bus triggers' connection (functions/lib/register.ts: connection 'ServiceBusConnection').
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  // The app's own SDK clients use DefaultAzureCredential, which picks the user-assigned identity by this.
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  languageWorkers__node__arguments: workerNodeArguments
  MALLOC_ARENA_MAX: workerMallocArenaMax

  // shared/config.ts
  BUS_KIND: 'servicebus'
  STORAGE_BLOB_URI: evidenceBlobEndpoint
  STORAGE_TABLE_URI: evidenceTableEndpoint
  EVIDENCE_CONTAINER: evidenceContainerName
  RUNS_TABLE: tableNames.RUNS_TABLE
  PACING_TABLE: tableNames.PACING_TABLE
  WATERMARK_TABLE: tableNames.WATERMARK_TABLE
  AUDIT_TABLE: tableNames.AUDIT_TABLE
  DEVICE_DIRECTORY_TABLE: tableNames.DEVICE_DIRECTORY_TABLE
  ALERT_ASSEMBLY_TABLE: tableNames.ALERT_ASSEMBLY_TABLE
  NOTIFY_OWED_TABLE: tableNames.NOTIFY_OWED_TABLE
  QUEUE_ALERTS: queueNames.alerts
  QUEUE_ACTIONS: queueNames.actions
  QUEUE_POLLS: queueNames.polls
  QUEUE_COLLECT: queueNames.collect
  QUEUE_NOTIFY: queueNames.notify
  DEFENDER_API_BASE_URL: defenderApiBaseUrl
  DEFENDER_TOKEN_SCOPE: 'https://api.securitycenter.microsoft.com/.default'
  OPERATOR_AUTH: 'appservice'
  // Empty is the same as unset for loadConfig: the poller is off.
  ALERT_POLL_CRON: alertPollCron
  // Empty is unset: that sink is off. Secure parameters: never in deployment outputs or logs.
  NOTIFY_WEBHOOK_URL: notifyWebhookUrl
  NOTIFY_WEBHOOK_SECRET: notifyWebhookSecret
  NOTIFY_TEAMS_WORKFLOW_URL: notifyTeamsWorkflowUrl
  NOTIFY_DEFENDER_ALERT_COMMENTS: notifyDefenderAlertComments
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  // azd deploys the package to the site tagged with its service name (azure.yaml: responder).
  tags: union(tags, { 'azd-service-name': 'responder' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: map(items(appSettings), setting => { name: setting.key, value: setting.value })
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostStorageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: { name: 'node', version: '22' }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
    }
  }
}

// App Service Authentication: every request needs an Entra token for the
// operator API's app registration; without one the platform answers 401
// before the app runs. The app trusts X-MS-CLIENT-PRINCIPAL only because this
// is on (OPERATOR_AUTH=appservice; the platform sets WEBSITE_AUTH_ENABLED).
// Roles (Responder.*) come from the token's roles claim; guard.ts checks them.
// The one exception is the health check (functions/health.ts, declared public):
// the platform lets it through without a token, and it says nothing secret.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: [ '/api/health' ]
    }
    httpSettings: { requireHttps: true }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: operatorApiClientId
          // v2 issuer; the registration asks for v2 tokens (appRegistration.bicep).
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          // A v2 token's aud is the client id; the api:// form covers v1 tokens.
          allowedAudiences: [operatorApiClientId, 'api://${operatorApiClientId}']
        }
      }
    }
    // Bearer tokens for API clients; a browser (the console, /api/console/) signs in once at
    // /.auth/login/aad and its session cookie carries the console's calls. Return401 above stays,
    // so API clients get a 401 rather than a login redirect; the registration needs a Web redirect
    // URI and ID tokens for the browser sign-in (docs/console.md "Signing in, in Azure"). No token store: the app never
    // reads users' tokens (UNVERIFIED on Flex, like the browser session).
    login: { tokenStore: { enabled: false } }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
