import { startAzurite } from '../../local/azurite.js';

/** Starts Azurite, prints its pid, then waits to be killed (test/integration/storage/azuriteLifetime.test.ts). */
const azurite = await startAzurite();
process.stdout.write(`${azurite.pid ?? ''}\n`);
setInterval(() => undefined, 60_000);
