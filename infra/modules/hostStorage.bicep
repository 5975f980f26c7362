// The Functions host's own storage (AzureWebJobsStorage: timer locks, host
// keys, diagnostic events) and the Flex deployment container. Kept apart from
// the evidence account: the host writes blobs constantly, and versioning and
// WORM there would keep every one of them.

param location string
param tags object
param accountName string

@description('The Flex Consumption deployment container (one per app).')
param deploymentContainerName string

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: accountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    // Identity only: the host and the deployment use the app's managed identity.
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
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

output accountName string = account.name
// Ends in '/', so the container name is appended directly.
output blobEndpoint string = account.properties.primaryEndpoints.blob
