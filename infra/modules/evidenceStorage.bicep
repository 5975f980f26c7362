// The app's data: the evidence container (versioned, version-level WORM, soft
// delete) and the tables of shared/config.ts. Identity only (shared key off).

import { evidenceContainerName, tableNames } from '../names.bicep'

param location string
param tags object
param accountName string

@description('Days each evidence blob version is immutable from its creation (the container\'s default time-based policy).')
@minValue(1)
param evidenceRetentionDays int

@description('Days a deleted blob or version (soft delete) and a deleted container can be restored.')
@minValue(1)
@maxValue(365)
param softDeleteDays int = 30

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: accountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_ZRS' }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    // Version-level WORM needs versioning on the account.
    isVersioningEnabled: true
    deleteRetentionPolicy: { enabled: true, days: softDeleteDays }
    containerDeleteRetentionPolicy: { enabled: true, days: softDeleteDays }
  }
}

resource evidence 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: evidenceContainerName
  properties: {
    publicAccess: 'None'
    // Can be set only when the container is created (an existing container must be migrated).
    immutableStorageWithVersioning: { enabled: true }
  }
}

// The container's default time-based retention, applied to every new blob
// version. Deployed unlocked: the period can still be shortened or the policy
// removed. Locking is a separate, irreversible action, not a template
// property (`state` is read-only): see infra/README.md, "Locking the
// evidence retention".
resource evidenceRetention 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-01-01' = {
  parent: evidence
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: evidenceRetentionDays
    // Evidence blobs are block blobs written once: no protected appends.
    allowProtectedAppendWrites: false
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = [
  for table in items(tableNames): {
    parent: tableService
    name: table.value
  }
]

output accountName string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output tableEndpoint string = account.properties.primaryEndpoints.table
