import path from 'node:path';
import { parseArgs } from 'node:util';
import { ScaledClock, DAY_MS } from '../shared/clock.js';
import { DEFENDER_SCOPE } from '../shared/defender/port.js';
import { loadFleet, PROFILES, SimulatorCredential, startSimulator, type Profile } from './index.js';

const DEFAULT_FLEET = 'local/fleets/demo.json';

const HELP = `npm run simulator -- [options]

Starts the MDE Live Response API SIMULATOR on its own: a local HTTP model of
the Microsoft Defender for Endpoint API (live response, machine actions,
library, machines, alerts). It is a simulator, NOT Microsoft Defender: every
response says so in its x-simulator header, and it accepts only unsigned
tokens (such as the one it prints). simulator/README.md describes what it
models.

Options:
  --fleet PATH   fleet file: devices, library, scripts, alerts (default
                 ${DEFAULT_FLEET}, the npm start demo's tenant)
  --host HOST    address to listen on (default 127.0.0.1)
  --port N       port to listen on (default 0: the OS picks a free one)
  --scale N      time scale: simulated time runs N times faster than the wall
                 clock (default 1)
  --seed N       seed of ids and link keys (default: the fleet's seed)
  --profile P    lenient or strict: where Microsoft's documentation is
                 silent, answer kindly or as strictly as Defender plausibly
                 does (default: the fleet's options.profile, else lenient;
                 README "Strictness")
  --help         this text

It prints its URL (the API is under <url>/api/...) and a bearer token with
every role, then serves until Ctrl+C or SIGTERM, and prints its statistics.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      fleet: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      scale: { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port: expected 0 to 65535, got ${values.port ?? ''}`);
  const scale = Number(values.scale ?? '1');
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`--scale: expected a positive number, got ${values.scale ?? ''}`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got ${values.seed ?? ''}`);

  const profile = values.profile;
  if (profile !== undefined && !(PROFILES as readonly string[]).includes(profile))
    throw new Error(`--profile: expected ${PROFILES.join(' or ')}, got ${profile}`);

  const fleetPath = path.resolve(values.fleet ?? DEFAULT_FLEET);
  const fleet = await loadFleet(fleetPath);
  const clock = new ScaledClock({ scale });
  const sim = await startSimulator({
    fleet,
    clock,
    host: values.host ?? '127.0.0.1',
    port,
    ...(seed === undefined ? {} : { seed }),
    ...(profile === undefined ? {} : { settings: { profile: profile as Profile } }),
  });
  const { token } = await new SimulatorCredential({ clock, lifetimeMs: 365 * DAY_MS }).getToken(DEFENDER_SCOPE);

  const say = (line: string): void => void process.stdout.write(line + '\n');
  say('MDE Live Response API SIMULATOR (a simulator, not Microsoft Defender for Endpoint)');
  say(`fleet: ${path.relative(process.cwd(), fleetPath)} (${fleet.devices.length} devices), time scale ${scale}x`);
  say(
    `strictness: ${Object.entries(sim.strictness)
      .map(([name, value]) => `${name}=${String(value)}`)
      .join(', ')}`,
  );
  say(`URL: ${sim.url}   (API under ${sim.url}/api/...)`);
  say(`token (unsigned, every role, valid for 365 simulated days; only this simulator accepts it):`);
  say(`  Authorization: Bearer ${token}`);
  say(`e.g. curl -H "Authorization: Bearer <token>" ${sim.url}/api/machines`);
  say('Ctrl+C stops it.');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  process.stderr.write(`simulator stopped; statistics:\n${JSON.stringify(sim.stats(), null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
