// The operator API's Entra app registration and its service principal,
// through the Microsoft Graph Bicep extension (../bicepconfig.json): declared
// with the rest, idempotent by uniqueName, and gone from the portal-click
// list. The deploying user needs Graph rights to create applications
// (infra/README.md); without them, set createAppRegistration=false and pass
// operatorApiClientId of a registration made by an administrator.
//
// The app roles are the operator API's (shared/auth/roles.ts; a test keeps
// the two lists equal). Assign them to people or groups in Enterprise
// applications; a workload gets them as application permissions.

extension microsoftGraphV1

@description('Alternate key of the registration: stays the same across deployments.')
param uniqueName string
param displayName string

var operatorRoles = [
  { value: 'Responder.Read', description: 'See runs, evidence lists and the pacing status.' }
  { value: 'Responder.Run', description: 'Start manual runs and dry runs.' }
  { value: 'Responder.Cancel', description: 'Cancel runs.' }
  { value: 'Responder.Evidence', description: 'Download evidence.' }
  { value: 'Responder.Admin', description: 'Dead letters, library sync and the audit log.' }
]

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  api: {
    // v2 tokens: aud is always the client id, iss the v2 issuer Easy Auth is set to.
    requestedAccessTokenVersion: 2
  }
  appRoles: [
    for role in operatorRoles: {
      // A GUID of our own, the same on every deployment.
      id: guid(uniqueName, role.value)
      value: role.value
      displayName: role.value
      description: role.description
      allowedMemberTypes: ['User', 'Application']
      isEnabled: true
    }
  ]
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: app.appId
  // Only principals holding one of the roles can get a token for the API.
  appRoleAssignmentRequired: true
}

output clientId string = app.appId
