/**
 * How the responder's Node.js process is started: the Function App's worker
 * in Azure, `npm start` and `npm run bench:evidence` here (both through
 * local/appRuntime.ts). In Azure the arguments are the app setting
 * `languageWorkers__node__arguments` and the environment is app settings
 * (infra/README.md). A test keeps the three in step, and the Function App
 * logs a warning when it builds its services (on the first trigger) in a
 * worker that runs without them.
 *
 * All of it is about multi-GB evidence transfers, which allocate a Buffer for
 * every network chunk, its HTTP parser copy and every decoded chunk:
 *
 * - `--max-semi-space-size=1` caps the semi-spaces of V8's young generation
 *   at 1 MiB. At that allocation rate V8 grows them to their default ceiling
 *   (16 MiB on this 64-bit machine) and keeps them: measured, the new space
 *   went from 2 MiB to 32 MiB of resident memory that holds only dead
 *   objects. Capped, the collector scavenges more often (cheap: almost
 *   nothing survives).
 * - `--heap-growing-percent=200` fixes the old generation's growth factor at
 *   3 (V8 picks one from 1.1 to 4 as it goes). V8 counts the dead chunk
 *   Buffers not yet scavenged (up to ~30 MiB) against the old generation's
 *   headroom; when it had picked a small factor, that headroom stayed smaller
 *   than those Buffers and a full collection started after nearly every
 *   scavenge (330-530 per 3 GiB), doubling the collector's CPU time in four
 *   of six benchmark runs with the first argument alone. With a factor of 3
 *   none was seen.
 * - `MALLOC_ARENA_MAX=2` (glibc, so Linux only; read when the process
 *   starts, hence an environment variable and not an argument) caps glibc's
 *   malloc arenas at two. Chunk Buffers are allocated on the main thread,
 *   zlib's on the thread pool and V8 frees dead ones from a sweeper thread;
 *   with glibc's default (8 per core) each thread's arena kept freed chunks
 *   for reuse, about 12 MiB of resident memory in all: measured, the
 *   collector's peak went from 145-147 MiB to 129-135 MiB, at the same
 *   throughput.
 */
export const WORKER_NODE_ARGUMENTS: readonly string[] = ['--max-semi-space-size=1', '--heap-growing-percent=200'];

/** The environment variables the worker runs with (app settings in Azure). */
export const WORKER_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** WORKER_ENVIRONMENT as `NAME=value`, as help texts, warnings and reports print it. */
export const WORKER_ENVIRONMENT_ASSIGNMENTS: readonly string[] = Object.entries(WORKER_ENVIRONMENT).map(
  ([name, value]) => `${name}=${value}`,
);

/**
 * `env` without the worker's variables: for the processes that stand in for
 * remote services (Azurite, the simulator), which should run as they would
 * without us.
 */
export function withoutWorkerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  for (const name of Object.keys(WORKER_ENVIRONMENT)) delete rest[name];
  return rest;
}

/**
 * The worker environment this process was not started with, as `NAME=value`
 * (empty when it runs as the app does). Only Linux is checked: the variable
 * is glibc's, and means nothing elsewhere.
 */
export function missingWorkerEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: string = process.platform,
): string[] {
  if (platform !== 'linux') return [];
  return Object.entries(WORKER_ENVIRONMENT)
    .filter(([name, value]) => env[name] !== value)
    .map(([name, value]) => `${name}=${value}`);
}

/**
 * The worker arguments this process was not started with (empty when it runs
 * as the app does). Looks at the command line and NODE_OPTIONS, and accepts
 * V8's spellings (`--max_semi_space_size=1`, `--max-semi-space-size 1`).
 */
export function missingWorkerArguments(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = new Set(normalized([...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)]));
  return WORKER_NODE_ARGUMENTS.filter((argument) => !given.has(normalized([argument])[0] ?? argument));
}

/** `--flag_name value` and `--flag-name=value` alike, as `--flag-name=value`. */
function normalized(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) continue;
    const [name = '', value] = arg.split(/=(.*)/s, 2);
    const next = args[i + 1];
    const joined = value ?? (next !== undefined && !next.startsWith('-') ? next : undefined);
    if (value === undefined && joined !== undefined) i += 1;
    out.push(`${name.replace(/_/g, '-')}${joined === undefined ? '' : `=${joined}`}`);
  }
  return out;
}
