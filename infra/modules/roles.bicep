// Every role the app's identity holds, each at the narrowest scope the
// resource allows. No Owner, Contributor, User Access Administrator, Service
// Bus Data Owner or Storage Account Contributor; Storage Blob Data Owner only
// on the host storage account, where Microsoft documents it as the minimum.
// test/unit/infra/roles.test.ts holds this file to an allow-list.

import { evidenceContainerName, roleIds } from '../names.bicep'

@description('Object (principal) id of the app\'s user-assigned identity.')
param principalId string
param hostStorageAccountName string
param evidenceStorageAccountName string
param serviceBusNamespaceName string
param appInsightsName string

resource hostStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: hostStorageAccountName
}

resource evidenceStorage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: evidenceStorageAccountName
}

resource evidenceContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  name: '${evidenceStorageAccountName}/default/${evidenceContainerName}'
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// The evidence writer: what the collector does and nothing more. Read, create
// and commit blobs (Put Block, Put Block List), write and read their index
// tags (set in the commit; Storage Blob Data Contributor has no tags/write),
// create the container if missing (ensureContainer). No delete: evidence is
// never removed by the app, and WORM holds it anyway.
resource evidenceWriter 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'responder-evidence-writer')
  properties: {
    roleName: 'Responder Evidence Writer (${uniqueString(resourceGroup().id)})'
    description: 'Writes and reads evidence blobs and their index tags in one container; cannot delete.'
    type: 'CustomRole'
    assignableScopes: [resourceGroup().id]
    permissions: [
      {
        actions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/write'
        ]
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write'
        ]
        notDataActions: []
      }
    ]
  }
}

// Host storage (AzureWebJobsStorage and the Flex deployment container): Blob
// Data Owner is the documented minimum; Table Data Contributor for the host's
// diagnostic events. No queue role: no blob trigger, no Durable Functions, and
// the app's bus in Azure is Service Bus.
resource hostBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: hostStorage
  name: guid(hostStorage.id, principalId, roleIds.storageBlobDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource hostTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: hostStorage
  name: guid(hostStorage.id, principalId, roleIds.storageTableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// The evidence container only.
resource evidenceBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: evidenceContainer
  name: guid(evidenceContainer.id, principalId, evidenceWriter.id)
  properties: {
    roleDefinitionId: evidenceWriter.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Evidence download links (POST /api/runs/{id}/evidence/link) are user
// delegation SAS: the identity asks for a user delegation key, which only a
// role at the storage account (or above) allows, and Storage Blob Delegator
// is the one that allows that and nothing else: no blob is readable through
// it. What a link reads is still bounded by the evidence writer's read on the
// container (a SAS grants at most what its signer holds).
resource evidenceLinkSigner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: evidenceStorage
  name: guid(evidenceStorage.id, principalId, roleIds.storageBlobDelegator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDelegator)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// The app's tables. Scoped to the evidence account, which holds only the
// app's tables: the app creates each table at start-up if missing
// (ensureTable), which a table-scoped assignment may refuse (UNVERIFIED), and
// a refusal would stop the app from starting.
resource appTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: evidenceStorage
  name: guid(evidenceStorage.id, principalId, roleIds.storageTableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Send (to every queue and poison queue, scheduled sends and cancels) and
// receive (the triggers; the dead-letter routes read -poison and
// $DeadLetterQueue). The namespace holds only this app's queues.
resource busSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus
  name: guid(serviceBus.id, principalId, roleIds.serviceBusDataSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.serviceBusDataSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource busReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus
  name: guid(serviceBus.id, principalId, roleIds.serviceBusDataReceiver)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.serviceBusDataReceiver)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource telemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: appInsights
  name: guid(appInsights.id, principalId, roleIds.monitoringMetricsPublisher)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
