// Service Bus Standard (Basic has no duplicate detection) with every queue of
// shared/bus/queues.ts and its poison queue. SAS keys are off: the app sends
// and receives with its identity (Data Sender + Data Receiver, modules/roles.bicep).

import { queueNames, poisonQueueSuffix } from '../names.bicep'

param location string
param tags object
param namespaceName string

// Every queue, its poison queue included, is created with these properties.
// requiresDuplicateDetection can be set only when a queue is created.
var queueProperties = {
  // The Functions trigger renews the lock every so often until host.json's
  // maxAutoLockRenewalDuration (10 minutes, = functionTimeout); a worker that
  // dies loses its messages' locks within this time, and they come back.
  lockDuration: 'PT1M'
  // A throw abandons (a bug, shared/bus/settleExpected.ts); after 10 deliveries
  // Service Bus dead-letters the message with MaxDeliveryCountExceeded.
  maxDeliveryCount: 10
  // Message ids name intents (docs/architecture.md): a repeated send of one id
  // within the window is dropped. The window is the one the local bus keeps
  // (BUS_DUPLICATE_DETECTION_WINDOW_MS, 10 minutes).
  requiresDuplicateDetection: true
  duplicateDetectionHistoryTimeWindow: 'PT10M'
  // Longer than any wait the app schedules (an offline device: 3 days) and the
  // reconciliation horizon (4 days); a message still here after 14 days is
  // dead-lettered (TTLExpiredException), never dropped.
  defaultMessageTimeToLive: 'P14D'
  deadLetteringOnMessageExpiration: true
}

var logicalQueues = [for queue in items(queueNames): queue.value]
var allQueues = concat(logicalQueues, map(logicalQueues, queue => '${queue}${poisonQueueSuffix}'))

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for queue in allQueues: {
    parent: namespace
    name: queue
    properties: queueProperties
  }
]

output namespaceName string = namespace.name
output namespaceId string = namespace.id
// <namespace>.servicebus.windows.net (ServiceBusConnection__fullyQualifiedNamespace), from the
// endpoint `https://<namespace>.servicebus.windows.net:443/` so other clouds' suffixes hold.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
