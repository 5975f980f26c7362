// The operator's workbook (infra/workbook.json; infra/README.md, "Workbook"):
// 429s, actions submitted, runs started and ended, evidence bytes, dead
// letters (the app's records and Service Bus's own dead-letter queues), alert
// outcomes, warnings and errors by message. Its queries read the records the
// app writes (test/unit/infra/workbook.test.ts holds each message and field to
// the code). The JSON is kept as a file so it can also be imported by hand
// (Workbooks > New > Advanced editor), with the two placeholders replaced.

param location string
param tags object
@description('The Log Analytics workspace the queries run in.')
param workspaceId string
@description('The Service Bus namespace whose dead-letter metric is charted.')
param serviceBusNamespaceId string
param displayName string

var serialized = replace(
  replace(loadTextContent('../workbook.json'), '__WORKSPACE_ID__', workspaceId),
  '__SERVICE_BUS_NAMESPACE_ID__',
  serviceBusNamespaceId
)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID.
  name: guid(resourceGroup().id, 'responder-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: workspaceId
    serializedData: serialized
  }
}

output id string = workbook.id
