import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DEV_ACCOUNT, DEV_KEY } from '../shared/azure/developmentAccount.js';
import { withoutWorkerEnvironment } from '../shared/workerRuntime.js';

/** Azurite's well-known development account (public, documented; not a secret). */
export { DEV_ACCOUNT, DEV_KEY } from '../shared/azure/developmentAccount.js';

export interface RunningAzurite {
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  /** A connection string the Azure SDK clients accept. */
  connectionString: string;
  /** The Azurite child process (benchmarks read its memory use). */
  pid?: number;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Folder for Azurite's data; omitted: in-memory only. */
  location?: string;
  /** Abort start-up after this many wall-clock ms. */
  startTimeoutMs?: number;
  /**
   * Serve https with this certificate and key (PEM files) and accept OAuth bearer tokens (Azurite's `--oauth basic`:
   * the token's lifetime, issuer and audience are checked, not its signature). Tests of user delegation SAS use it:
   * Azurite issues user delegation keys only to a bearer token, and only over https.
   */
  tlsWithOAuth?: { certPath: string; keyPath: string };
}

/**
 * Runs Azurite's entry point (process.argv[1], as `node entry args` would) and
 * ends it, through its own SIGTERM shutdown, when its stdin closes: the parent
 * is gone. A shutdown that hangs is cut short after 5 s.
 */
const ORPHAN_GUARD = [
  "process.stdin.on('close', () => { setTimeout(() => process.exit(0), 5000).unref(); process.kill(process.pid, 'SIGTERM'); });",
  'process.stdin.resume();',
  'require(process.argv[1]);',
].join(' ');

/**
 * Starts Azurite from node_modules on loopback, on ports the OS chooses, and
 * resolves once blob, queue and table services are listening.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const require = createRequire(import.meta.url);
  const entry = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/azurite.js');
  const args = [
    entry,
    '--blobHost',
    '127.0.0.1',
    '--queueHost',
    '127.0.0.1',
    '--tableHost',
    '127.0.0.1',
    '--blobPort',
    '0',
    '--queuePort',
    '0',
    '--tablePort',
    '0',
    '--disableTelemetry',
    '--skipApiVersionCheck',
  ];
  if (options.tlsWithOAuth) args.push('--cert', options.tlsWithOAuth.certPath, '--key', options.tlsWithOAuth.keyPath, '--oauth', 'basic');
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  // Azurite stands in for Blob Storage, not for our worker: it runs without the worker's environment.
  // Started through ORPHAN_GUARD with a pipe on its stdin: when this process ends by any path (an error, a signal,
  // even SIGKILL) the pipe closes and Azurite shuts down instead of outliving it.
  const child = spawn(process.execPath, ['-e', ORPHAN_GUARD, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: withoutWorkerEnvironment(process.env),
  });
  const ports = await readPorts(child, options.startTimeoutMs ?? 30_000);
  const scheme = options.tlsWithOAuth ? 'https' : 'http';
  const blobEndpoint = `${scheme}://127.0.0.1:${ports.blob}/${DEV_ACCOUNT}`;
  const queueEndpoint = `${scheme}://127.0.0.1:${ports.queue}/${DEV_ACCOUNT}`;
  const tableEndpoint = `${scheme}://127.0.0.1:${ports.table}/${DEV_ACCOUNT}`;
  return {
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=${scheme};AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
      `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`,
    pid: child.pid,
    stop: () => stopChild(child),
  };
}

function readPorts(child: ChildProcess, timeoutMs: number): Promise<{ blob: number; queue: number; table: number }> {
  return new Promise((resolve, reject) => {
    const found: Partial<Record<'blob' | 'queue' | 'table', number>> = {};
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`Azurite did not start within ${timeoutMs} ms. Its output:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      for (const match of output.matchAll(
        /Azurite (Blob|Queue|Table) service is successfully listening at https?:\/\/127\.0\.0\.1:(\d+)/g,
      )) {
        const kind = match[1]?.toLowerCase() as 'blob' | 'queue' | 'table';
        found[kind] = Number(match[2]);
      }
      if (found.blob && found.queue && found.table) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ blob: found.blob, queue: found.queue, table: found.table });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code} before listening. Its output:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
