import { describe, expect, it } from 'vitest';
import { SECRET_SETTINGS } from '../../../shared/config.js';
import { readBicep } from './bicep.js';

/** The parameter an app setting takes its value from, in functionApp.bicep's appSettings. */
function parameterOf(template: string, setting: string): string | undefined {
  return new RegExp(`^\\s+${setting}: (\\w+)$`, 'm').exec(template)?.[1];
}

describe('the notification secrets in the templates', () => {
  const functionApp = readBicep('modules/functionApp.bicep');
  const main = readBicep('main.bicep');

  it('sets every notification secret, and no connection string (identities only)', () => {
    const set = [...SECRET_SETTINGS].filter((setting) => parameterOf(functionApp, setting) !== undefined);
    expect(set.sort()).toEqual(['NOTIFY_TEAMS_WORKFLOW_URL', 'NOTIFY_WEBHOOK_SECRET', 'NOTIFY_WEBHOOK_URL']);
  });

  it.each([...SECRET_SETTINGS].filter((s) => s.startsWith('NOTIFY_')))(
    '%s comes from a @secure() parameter, in the module and in main.bicep',
    (setting) => {
      const parameter = parameterOf(functionApp, setting);

      expect(parameter, setting).toBeDefined();
      expect(functionApp).toMatch(new RegExp(`@secure\\(\\)\\n(@description\\(.*\\)\\n)?param ${parameter} string$`, 'm'));
      expect(main).toMatch(new RegExp(`@secure\\(\\)\\n(@description\\(.*\\)\\n)?param ${parameter} string = ''$`, 'm'));
      expect(main).not.toMatch(new RegExp(`^output .*${parameter}`, 'm'));
    },
  );
});
