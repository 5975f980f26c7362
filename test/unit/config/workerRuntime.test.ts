import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runWithAppRuntime } from '../../../local/appRuntime.js';
import {
  missingWorkerArguments,
  missingWorkerEnvironment,
  withoutWorkerEnvironment,
  WORKER_ENVIRONMENT,
  WORKER_NODE_ARGUMENTS,
} from '../../../shared/workerRuntime.js';

const root = new URL('../../../', import.meta.url);
const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('the Node arguments the app runs with', () => {
  it.each([
    ['start', 'dist/local/start.js'],
    ['bench:evidence', 'dist/bench/evidence.js'],
  ])('npm run %s starts node through the app runtime launcher', (script, entry) => {
    expect(scripts[script]).toContain(`node dist/local/appRuntime.js ${entry}`);
  });

  it('are the app settings the deployment notes ask for', () => {
    const infra = readFileSync(new URL('infra/README.md', root), 'utf8').replace(/\s+/g, ' ');
    expect(infra).toContain(`\`languageWorkers__node__arguments\` = \`${WORKER_NODE_ARGUMENTS.join(' ')}\``);
    for (const [name, value] of Object.entries(WORKER_ENVIRONMENT)) expect(infra).toContain(`\`${name}\` = \`${value}\``);
  });

  it('are reported missing from a process started without them, and not otherwise', () => {
    expect(missingWorkerArguments([], '')).toEqual([...WORKER_NODE_ARGUMENTS]);
    expect(missingWorkerArguments(['--enable-source-maps'], '--max-old-space-size=2048')).toEqual([...WORKER_NODE_ARGUMENTS]);
    expect(missingWorkerArguments(['--max-semi-space-size=16', '--heap-growing-percent=200'], '')).toEqual(['--max-semi-space-size=1']);
    expect(missingWorkerArguments(['--enable-source-maps', ...WORKER_NODE_ARGUMENTS], '')).toEqual([]);
  });

  it.each([
    ['NODE_OPTIONS (where V8 allows them)', ['--heap-growing-percent=200'], '--enable-source-maps --max-semi-space-size=1'],
    ['V8 underscores', ['--max_semi_space_size=1', '--heap_growing_percent=200'], ''],
    ['a separate value', ['--max-semi-space-size', '1', '--heap-growing-percent', '200'], ''],
  ])('are found when given through %s', (_how, execArgv, nodeOptions) => {
    expect(missingWorkerArguments(execArgv, nodeOptions)).toEqual([]);
  });
});

describe('the environment the app runs with', () => {
  it('is reported missing on Linux when unset or different, and not otherwise', () => {
    expect(missingWorkerEnvironment({}, 'linux')).toEqual(['MALLOC_ARENA_MAX=2']);
    expect(missingWorkerEnvironment({ MALLOC_ARENA_MAX: '8' }, 'linux')).toEqual(['MALLOC_ARENA_MAX=2']);
    expect(missingWorkerEnvironment({ MALLOC_ARENA_MAX: '2' }, 'linux')).toEqual([]);
  });

  it('is left out for the processes that stand in for remote services, the rest kept', () => {
    const env = { PATH: '/usr/bin', MALLOC_ARENA_MAX: '2' };
    expect(withoutWorkerEnvironment(env)).toEqual({ PATH: '/usr/bin' });
    expect(env.MALLOC_ARENA_MAX).toBe('2');
  });

  it('is not asked for off Linux, where glibc does not run', () => {
    expect(missingWorkerEnvironment({}, 'win32')).toEqual([]);
    expect(missingWorkerEnvironment({}, 'darwin')).toEqual([]);
  });
});

describe('running a script as the worker runs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'app-runtime-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, body: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, body);
    return file;
  };

  it("starts it with the worker's Node arguments and environment, passes its arguments and returns its exit code", async () => {
    const out = path.join(dir, 'seen.json');
    const probe = script(
      'probe.mjs',
      `import { writeFileSync } from 'node:fs';
writeFileSync(process.argv[2], JSON.stringify({ execArgv: process.execArgv, env: process.env, args: process.argv.slice(3) }));
process.exit(3);`,
    );
    const code = await runWithAppRuntime(probe, [out, '--json', 'two words'], { env: { KEPT: 'yes', MALLOC_ARENA_MAX: '8' } });
    expect(code).toBe(3);
    const seen = JSON.parse(readFileSync(out, 'utf8')) as { execArgv: string[]; env: Record<string, string>; args: string[] };
    expect(seen.execArgv).toEqual([...WORKER_NODE_ARGUMENTS]);
    expect(missingWorkerArguments(seen.execArgv, '')).toEqual([]);
    expect(missingWorkerEnvironment(seen.env, 'linux')).toEqual([]);
    expect(seen.env.KEPT).toBe('yes');
    expect(seen.args).toEqual(['--json', 'two words']);
  });

  it('answers 128 + the signal number when a signal ends the script', async () => {
    const killed = script(
      'killed.mjs',
      `process.kill(process.pid, 'SIGTERM');
setTimeout(() => undefined, 10_000);`,
    );
    expect(await runWithAppRuntime(killed, [])).toBe(143);
  });
});
