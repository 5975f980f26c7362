import { DefaultAzureCredential } from '@azure/identity';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ManualClock } from '../shared/clock.js';
import { isLoopback, settingsSchema } from '../shared/config.js';
import { DefenderClient } from '../shared/defender/client.js';
import { DEFENDER_SCOPE, type TokenProvider } from '../shared/defender/port.js';
import { readLocalLibrary } from '../shared/library/localLibrary.js';
import { LIBRARY_API_MAX_BYTES, syncLibrary, type SyncReport } from '../shared/library/sync.js';
import { loadFleet, SimulatorCredential, startSimulator } from '../simulator/index.js';

const HELP = `npm run library:sync -- [options]

Brings the tenant's Live Response library in line with the library/ folder:
lists the library, compares SHA-256, uploads only what is new or changed
(OverrideIfExists for a changed file), refuses files the API would refuse
(over its size limit, or a name Live Response cannot run), and reports what
the tenant has that the folder does not.

Options:
  --dir DIR          library folder (default library)
  --dry-run          show what would change; change nothing
  --prune            delete library files that are not in the folder
  --max-bytes N      refuse files over N bytes (default ${LIBRARY_API_MAX_BYTES}, the API's 20 MB)
  --simulator        sync to an in-process Defender API SIMULATOR started with --fleet
                     (a try-out; the simulator is not Microsoft Defender)
  --fleet PATH       fleet for --simulator (default local/fleets/demo.json)
  --json             the report as JSON on stdout
  --help             this text

Without --simulator it talks to DEFENDER_API_BASE_URL (default
https://api.securitycenter.microsoft.com) with DefaultAzureCredential, whose
identity needs the Library.Manage application role.
Exit status: 0 in line (or would be), 1 when a file was refused, 2 on error.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      'dry-run': { type: 'boolean' },
      prune: { type: 'boolean' },
      'max-bytes': { type: 'string' },
      simulator: { type: 'boolean' },
      fleet: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const maxBytes = values['max-bytes'] === undefined ? LIBRARY_API_MAX_BYTES : Number(values['max-bytes']);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new Error(`--max-bytes: expected a positive whole number, got ${values['max-bytes'] ?? ''}`);
  const local = await readLocalLibrary(path.resolve(values.dir ?? 'library'));
  const options = { maxBytes, prune: values.prune ?? false, dryRun: values['dry-run'] ?? false };
  let report: SyncReport;
  if (values.simulator) {
    const clock = new ManualClock(Date.now());
    const sim = await startSimulator({ fleet: await loadFleet(path.resolve(values.fleet ?? 'local/fleets/demo.json')), clock });
    process.stderr.write(`Defender API SIMULATOR (not Microsoft Defender) at ${sim.url}\n`);
    try {
      report = await syncLibrary(client(sim.url, new SimulatorCredential({ clock }), true), local, options);
    } finally {
      await sim.close();
    }
  } else {
    report = await syncLibrary(fromEnvironment(), local, options);
  }
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    for (const item of report.items) process.stdout.write(`${item.action.padEnd(15)} ${item.fileName}  ${item.detail}\n`);
    process.stdout.write(
      options.dryRun ? '(dry run: nothing was changed)\n' : report.ok ? 'Library in line.\n' : 'Some files were refused.\n',
    );
  }
  return report.ok ? 0 : 1;
}

function fromEnvironment(): DefenderClient {
  const settings = settingsSchema
    .pick({
      DEFENDER_API_BASE_URL: true,
      DEFENDER_TOKEN_SCOPE: true,
      DEFENDER_ALLOW_HTTP_LOOPBACK: true,
      DEFENDER_REQUEST_TIMEOUT_MS: true,
      DEFENDER_DEFAULT_RETRY_AFTER_MS: true,
    })
    .parse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== '')));
  const base = new URL(settings.DEFENDER_API_BASE_URL);
  if (base.protocol !== 'https:' && !(settings.DEFENDER_ALLOW_HTTP_LOOPBACK && isLoopback(base.hostname)))
    throw new Error('DEFENDER_API_BASE_URL must be https');
  return client(
    settings.DEFENDER_API_BASE_URL,
    new DefaultAzureCredential(),
    settings.DEFENDER_ALLOW_HTTP_LOOPBACK,
    settings.DEFENDER_TOKEN_SCOPE,
  );
}

function client(baseUrl: string, credential: TokenProvider, allowHttpLoopback: boolean, scope = DEFENDER_SCOPE): DefenderClient {
  return new DefenderClient({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    credential,
    scope,
    requestTimeoutMs: 60_000,
    defaultRetryAfterMs: 60_000,
    linkPolicy: { hostSuffixes: ['.blob.core.windows.net'], allowHttpLoopback },
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
