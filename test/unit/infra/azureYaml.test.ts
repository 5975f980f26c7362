import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INFRA, readBicep } from './bicep.js';

const root = path.resolve(INFRA, '..');

interface Hook {
  shell: string;
  run: string;
  continueOnError?: boolean;
}
const azureYaml = parse(readFileSync(path.join(root, 'azure.yaml'), 'utf8')) as {
  hooks: Record<string, { posix: Hook; windows: Hook }>;
};
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('the azd hooks (azure.yaml)', () => {
  it('sync the library after a deploy, when asked, with the npm script that runs tools/librarySync.ts', () => {
    const hook = azureYaml.hooks.postdeploy;
    expect(hook?.posix.run).toMatch(/^if \[ "\$RESPONDER_LIBRARY_SYNC" = "true" \]; then npm run library:sync; else echo "[^"]+"; fi$/);
    expect(hook?.windows.run).toMatch(
      /^if \(\$env:RESPONDER_LIBRARY_SYNC -eq 'true'\) \{ npm run library:sync \} else \{ Write-Host "[^"]+" \}$/,
    );
    expect([hook?.posix.shell, hook?.windows.shell]).toEqual(['sh', 'pwsh']);
    expect([hook?.posix.continueOnError, hook?.windows.continueOnError]).toEqual([true, true]);
    expect(scripts['library:sync']).toBe('npm run build --silent && node dist/tools/librarySync.js');
    const tool = readFileSync(path.join(root, 'tools/librarySync.ts'), 'utf8');
    expect(tool).toContain('DEFENDER_API_BASE_URL: true');
    expect(tool).toContain('new DefaultAzureCredential()');
  });

  it('hand the sync the Defender API host the app uses (a deployment output named as the tool reads it)', () => {
    expect(readBicep('main.bicep')).toMatch(/^output DEFENDER_API_BASE_URL string = defenderApiBaseUrl$/m);
    expect(readBicep('modules/functionApp.bicep')).toMatch(/^\s+DEFENDER_API_BASE_URL: defenderApiBaseUrl$/m);
  });

  it('grant the Defender roles after provisioning with the built grant script, in both shells', () => {
    const hook = azureYaml.hooks.postprovision;
    for (const run of [hook?.posix.run, hook?.windows.run])
      expect(run).toContain('node dist/scripts/grant-defender-roles.js --principal-id');
    expect(scripts.build).toMatch(/^tsc -p tsconfig\.json/);
  });
});
