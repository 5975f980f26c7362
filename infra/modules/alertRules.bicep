// Alert rules an operator of the responder needs (infra/README.md,
// "Alerts"): messages dead-lettered, any 429 from Defender, a device action
// stuck after every re-drive, notifications owed too long, function failures. Log rules read the records
// the app writes through the Functions logging pipeline (each record's
// message is its JSON; test/unit/infra/alertRules.test.ts holds each query's
// text to a message the code logs). Without an e-mail address the rules still
// fire and show in the portal's Alerts page; with one, an action group mails it.

import { queueNames, poisonQueueSuffix } from '../names.bicep'

param location string
param tags object
param namePrefix string
param workspaceId string
param serviceBusNamespaceId string
@description('The Function App whose records the log rules read (AppRoleName).')
param functionAppName string
@description('Where alerts are mailed; empty: no action group.')
param alertEmail string = ''

var poisonQueues = [for queue in items(queueNames): '${queue.value}${poisonQueueSuffix}']

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: '${namePrefix}-ops'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'responder'
    enabled: true
    emailReceivers: [{ name: 'operator', emailAddress: alertEmail, useCommonAlertSchema: true }]
  }
}

var actions = empty(alertEmail) ? [] : [{ actionGroupId: actionGroup.id }]

// Service Bus's own dead-letter queues (MaxDeliveryCountExceeded, expiry).
resource deadLettered 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-dead-lettered'
  location: 'global'
  tags: tags
  properties: {
    description: 'A message reached a Service Bus dead-letter queue: npm run deadletters (or GET /api/deadletters) lists it with its reason; replay after the fix.'
    severity: 2
    enabled: true
    scopes: [serviceBusNamespaceId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'deadLetteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [{ name: 'EntityName', operator: 'Include', values: ['*'] }]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: actions
  }
}

// The app's own poison queues (<queue>-poison): messages it can never process, with their reason.
resource poisoned 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-poisoned'
  location: 'global'
  tags: tags
  properties: {
    description: 'A message was dead-lettered by the app into a -poison queue with its reason: npm run deadletters (or GET /api/deadletters) lists it; replay after the fix.'
    severity: 2
    enabled: true
    scopes: [serviceBusNamespaceId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'poisonQueueMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'ActiveMessages'
          dimensions: [{ name: 'EntityName', operator: 'Include', values: poisonQueues }]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: actions
  }
}

// One rule per record the app writes when an operator should look.
var logRules = [
  {
    name: 'throttled'
    severity: 2
    description: 'Defender answered 429: the pacing let a call through past the quota (another app sharing it, or a lower limit than configured). GET /api/status shows the penalty in force.'
    query: 'AppTraces | where AppRoleName =~ "${functionAppName}" | where Message has "Defender answered 429"'
  }
  {
    name: 'stuck-actions'
    severity: 2
    description: 'A device action made no progress after every re-drive of the reconcile sweep and was left for an operator (its runId and deviceId are in the record).'
    query: 'AppTraces | where AppRoleName =~ "${functionAppName}" | where Message has "left for an operator"'
  }
  {
    name: 'notifications-owed'
    severity: 3
    description: 'A notification the notify queue refused has been owed for over 15 minutes: the reconcile timer (every 5 minutes) is not draining them, or the queue still refuses. GET /api/status shows notifications.owed; docs/operations.md, "When owed notifications pile up".'
    query: 'AppMetrics | where AppRoleName =~ "${functionAppName}" | where Name == "responder.notify.owed_oldest_age" | where Max > 900000'
  }
  {
    name: 'function-failures'
    severity: 1
    description: 'A function invocation failed (a bug: the message is abandoned and redelivered, then dead-lettered after maxDeliveryCount).'
    query: 'AppRequests | where AppRoleName =~ "${functionAppName}" | where Success == false'
  }
]

resource logAlerts 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = [
  for rule in logRules: {
    name: '${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: '${namePrefix} ${rule.name}'
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [workspaceId]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
          }
        ]
      }
      autoMitigate: true
      actions: { actionGroups: empty(alertEmail) ? [] : [actionGroup.id] }
    }
  }
]
