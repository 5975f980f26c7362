import { describe, expect, it } from 'vitest';
import { parsePlaybook } from '../../../shared/playbooks/loader.js';
import { matchReasons, selectPlaybook } from '../../../shared/playbooks/match.js';
import { anAlert, FINANCE } from '../../helpers/alerts.js';

function playbook(when: string, extra = '', name = 'pb') {
  return parsePlaybook(
    `name: ${name}
version: '1'
description: d
triggers: [alert]
${extra}when:
${when}
steps:
  - type: GetFile
    path: 'C:\\x.txt'
`,
    'p.yaml',
  );
}

describe('matching an alert against when', () => {
  it.each([
    ['severity at least', '  severityAtLeast: Medium', {}, true],
    ['severity below', '  severityAtLeast: High', { severity: 'Medium' as const }, false],
    ['category in a list, any casing', '  categories: [execution, Malware]', {}, true],
    ['title pattern', '  titlePattern: "^suspicious"', {}, true],
    ['title pattern that does not match', '  titlePattern: "lsass"', {}, false],
    [
      'detection source by another spelling',
      '  detectionSources: [EDR]',
      { rawDetectionSource: 'WindowsDefenderAtp', detectionSource: 'microsoftDefenderForEndpoint' },
      true,
    ],
    [
      'detection source by its canonical name',
      '  detectionSources: [antivirus]',
      { rawDetectionSource: 'WindowsDefenderAv', detectionSource: 'antivirus' },
      true,
    ],
    ['service source', '  serviceSources: [microsoftDefenderForEndpoint]', { serviceSource: 'microsoftDefenderForEndpoint' }, true],
    ['a technique matching its sub-technique', '  mitreTechniques: [T1003]', { mitreTechniques: ['T1003.001'] }, true],
    ['a sub-technique not matching its parent', '  mitreTechniques: [T1003.001]', { mitreTechniques: ['T1003'] }, false],
    ['any: one of several holds', '  any:\n    - categories: [Malware]\n    - severityAtLeast: High', {}, true],
    ['any: none holds', '  any:\n    - categories: [Malware]\n    - severityAtLeast: High', { severity: 'Low' as const }, false],
    ['all: every one holds', '  all:\n    - categories: [Execution]\n    - titlePattern: thing', {}, true],
    ['none: one holds', '  severityAtLeast: Low\n  none:\n    - categories: [Execution]', {}, false],
    [
      'nested any inside all',
      '  all:\n    - any:\n        - categories: [Malware]\n        - mitreTechniques: [T1059]\n  severityAtLeast: Medium',
      { mitreTechniques: ['T1059.001'] },
      true,
    ],
  ])('%s', (_name, when, alert, matches) => {
    expect(matchReasons(playbook(when).playbook, anAlert(alert)).length === 0).toBe(matches);
  });

  it.each([
    ['device tags', '  deviceTags: [Finance]', { id: FINANCE, tags: ['Workstations', 'finance'] }, true],
    ['device tags absent', '  deviceTags: [Servers]', { id: FINANCE, tags: ['Workstations'] }, false],
    ['device tags unknown', '  deviceTags: [Servers]', undefined, false],
    ['OS platform', '  osPlatforms: [Windows11]', { id: FINANCE, osPlatform: 'Windows11' }, true],
    ['OS family', '  os: [linux, macos]', { id: FINANCE, osPlatform: 'CentOS' }, true],
    ['OS family not listed', '  os: [linux, macos]', { id: FINANCE, osPlatform: 'WindowsServer2022' }, false],
    ['OS family unknown', '  os: [linux]', { id: FINANCE }, false],
    ['no OS family excluded when unknown', '  severityAtLeast: Low\n  none:\n    - os: [linux, macos]', { id: FINANCE }, true],
  ])('tests the device: %s', (_name, when, device, matches) => {
    expect(matchReasons(playbook(when).playbook, anAlert(), device).length === 0).toBe(matches);
  });

  it('says why it does not match, naming each failed condition', () => {
    const reasons = matchReasons(playbook('  severityAtLeast: High\n  categories: [Malware]').playbook, anAlert({ severity: 'Low' }));
    expect(reasons).toEqual(['severity Low is below High', 'category Execution is not one of Malware']);
  });

  it('picks the highest priority among matching playbooks', () => {
    const low = playbook('  severityAtLeast: Low', 'priority: 1\n', 'low');
    const high = playbook('  severityAtLeast: Low', 'priority: 5\n', 'high');
    expect(selectPlaybook([low, high], anAlert())?.playbook.name).toBe('high');
  });
});
