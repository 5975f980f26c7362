// The names the app and the templates share, in one place. The app's settings
// (modules/functionApp.bicep) and the resources (modules/*.bicep) both import
// them, and test/unit/infra/*.test.ts reads this file against shared/config.ts
// and shared/bus/queues.ts. Compile-time imports need Bicep 0.25.3 or later.

@export()
@description('Service Bus queue per logical queue of shared/bus/queues.ts (the QUEUE_* settings).')
var queueNames = {
  alerts: 'alerts'
  actions: 'actions'
  polls: 'polls'
  collect: 'collect'
  notify: 'notify'
}

@export()
@description('Each queue has a poison queue named <queue><suffix> (shared/bus/poison.ts).')
var poisonQueueSuffix = '-poison'

@export()
@description('The evidence container (EVIDENCE_CONTAINER).')
var evidenceContainerName = 'evidence'

@export()
@description('The app\'s tables, by the setting that names each (shared/config.ts). No hyphens in table names.')
var tableNames = {
  RUNS_TABLE: 'runs'
  PACING_TABLE: 'pacing'
  WATERMARK_TABLE: 'watermarks'
  AUDIT_TABLE: 'audit'
  DEVICE_DIRECTORY_TABLE: 'devices'
  ALERT_ASSEMBLY_TABLE: 'alertassembly'
  NOTIFY_OWED_TABLE: 'notifyowed'
  // BUS_SENT_IDS_TABLE is used only with BUS_KIND=storage-queues (the local bus): not created in Azure.
}

@export()
@description('Built-in role definition ids the templates assign (infra/README.md lists why each is needed).')
var roleIds = {
  // Storage Blob Data Owner: Microsoft's documented minimum for AzureWebJobsStorage; host storage account only.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Storage Table Data Contributor: the app's tables; the host's diagnostic events table.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Azure Service Bus Data Sender.
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  // Azure Service Bus Data Receiver.
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  // Monitoring Metrics Publisher: telemetry to Application Insights with Entra auth (local auth off).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // Storage Blob Delegator: Get User Delegation Key, which signs evidence download links (user delegation SAS); no data access.
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
  // Microsoft Sentinel Automation Contributor: lets Sentinel's service account run the playbook (Sentinel only; its resource group).
  sentinelAutomationContributor: 'f4c81013-99ee-4d62-a7ee-b3f1f648599a'
}
