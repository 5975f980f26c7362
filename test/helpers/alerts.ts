import { readFileSync } from 'node:fs';
import type { Alert } from '../../shared/alerts/alert.js';
import { parsePlaybook } from '../../shared/playbooks/loader.js';

/** The documented example of each alert shape (test/fixtures/alerts), as parsed JSON. */
export function alertFixture(
  name:
    | 'defender-api-alert'
    | 'graph-alerts-v2'
    | 'graph-alerts-v2-linux'
    | 'graph-incidents-page'
    | 'graph-legacy-alert'
    | 'streaming-api-records',
): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/alerts/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

export const FINANCE = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';
/** The Linux device of graph-alerts-v2-linux.json. */
export const LINUX_WEB = '5d0a3f6b2e4c7a9b1d3f5e7a9c1b3d5f7e9a1c3b';

/** A normalised alert with one device and nothing else; tests add what they need. */
export function anAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'da1',
    source: 'defender-api',
    title: 'Suspicious thing',
    severity: 'High',
    category: 'Execution',
    mitreTechniques: [],
    devices: [{ id: FINANCE }],
    processes: [],
    files: [],
    ...overrides,
  };
}

/** One streaming record. */
/** One streaming record of an Advanced Hunting table (`AlertInfo`, `AlertEvidence`, or another). */
export function record(category: string, properties: Record<string, unknown>): Record<string, unknown> {
  return {
    time: '2026-11-20T09:20:01Z',
    tenantId: '00000000-0000-0000-0000-000000000000',
    operationName: 'Publish',
    category: `AdvancedHunting-${category}`,
    properties,
  };
}

/** A memory-dump playbook that says `rerun: onUpdate` (an updated alert runs it again), ranked above the shipped ones. */
export const rerunOnUpdate = parsePlaybook(
  `name: dump-again-on-update
version: '1'
description: d
priority: 200
triggers: [alert]
rerun: onUpdate
when: { severityAtLeast: High, requires: [process] }
steps:
  - type: RunScript
    script: Invoke-ProcessDump.ps1
    args:
      - { name: ProcessId, from: alert.process.processId, as: pid }
      - { name: OutputName, from: run.token, as: token }
safety: { allowedScripts: [Invoke-ProcessDump.ps1] }
`,
  'r.yaml',
);
