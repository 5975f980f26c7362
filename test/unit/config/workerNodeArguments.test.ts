import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingWorkerArguments, WORKER_NODE_ARGUMENTS } from '../../../shared/workerNodeArguments.js';

const root = new URL('../../../', import.meta.url);
const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('the Node arguments the app runs with', () => {
  it.each([
    ['start', 'dist/local/start.js'],
    ['bench:evidence', 'dist/bench/evidence.js'],
  ])('npm run %s starts node with them', (script, entry) => {
    expect(scripts[script]).toContain(`node ${WORKER_NODE_ARGUMENTS.join(' ')} ${entry}`);
  });

  it('are the app setting the deployment notes ask for', () => {
    const infra = readFileSync(new URL('infra/README.md', root), 'utf8').replace(/\s+/g, ' ');
    expect(infra).toContain(`\`languageWorkers__node__arguments\` = \`${WORKER_NODE_ARGUMENTS.join(' ')}\``);
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
