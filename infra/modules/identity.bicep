// The app's user-assigned identity: storage, Service Bus, telemetry (Azure
// roles, modules/roles.bicep) and the Defender API (WindowsDefenderATP app
// roles, granted by scripts/grant-defender-roles.ts after provisioning).
// User-assigned, so it exists before the app and survives its replacement.

param location string
param tags object
param name string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
