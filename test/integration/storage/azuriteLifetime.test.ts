import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, wallTimeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + wallTimeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe('Azurite started by the project', () => {
  it('does not outlive a process that started it and was killed with SIGKILL', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/azuriteHolder.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(holder.stdout, 'data')) as [Buffer];
    const pid = Number(chunk.toString().trim());
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(true);

    holder.kill('SIGKILL');
    await once(holder, 'exit');

    const gone = await until(() => !alive(pid), 15_000);
    if (!gone) process.kill(pid, 'SIGKILL');
    expect(gone).toBe(true);
  }, 60_000);
});
