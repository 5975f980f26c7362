/**
 * The Node.js arguments the responder runs with: in Azure, the Function
 * App's `languageWorkers__node__arguments` app setting (infra/README.md);
 * here, `npm start` and `npm run bench:evidence` (package.json). A test keeps
 * the three in step, and the Function App logs a warning when it builds its
 * services (on the first trigger) in a worker that runs without them.
 *
 * Both are about multi-GB evidence transfers, which allocate a Buffer for
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
 */
export const WORKER_NODE_ARGUMENTS: readonly string[] = ['--max-semi-space-size=1', '--heap-growing-percent=200'];

/**
 * The worker arguments this process was not started with (empty when it runs
 * as the app does). Looks at the command line and NODE_OPTIONS, and accepts
 * V8's spellings (`--max_semi_space_size=1`, `--max-semi-space-size 1`).
 */
export function missingWorkerArguments(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): string[] {
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
