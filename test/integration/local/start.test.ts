import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/** Processes whose command line mentions this text (Azurite is started with its data folder on its command line). */
function processesMentioning(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('npm start', () => {
  it('dead-letters an alert file that is not JSON, exits 1 with the reason, and leaves no process running', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'start-'));
    dirs.push(dir);
    const alerts = path.join(dir, 'alerts');
    const data = path.join(dir, 'azurite-data');
    await mkdir(alerts);
    await writeFile(path.join(alerts, 'broken.json'), '{"id": "da-1", "machineId": ');

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/start.ts', '--alerts', alerts, '--data', data, '--scale', '600', '--exit-when-idle', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];

    expect(stderr).toContain('not JSON: sent as text');
    expect(code, stderr).toBe(1);
    const summary = JSON.parse(stdout) as { deadLettered: { queue: string; reason: string }[] };
    expect(summary.deadLettered).toEqual([expect.objectContaining({ queue: 'alerts-poison', reason: 'MalformedAlert' })]);
    expect(processesMentioning(data)).toEqual([]);
  }, 120_000);
});
