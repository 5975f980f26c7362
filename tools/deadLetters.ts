import { buildDeadLetterService } from '../shared/composition.js';
import { loadConfig } from '../shared/config.js';
import { createLogger, jsonLinesSink } from '../shared/log.js';
import type { Issue } from '../shared/result.js';
import { describeIssue, exitCodeOf, formatListing, formatReport, HELP, parseCommand } from './deadLetterArgs.js';

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  if (command.kind === 'help') {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (command.kind === 'invalid') {
    process.stderr.write(`${command.message}\n(npm run deadletters -- --help)\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const { service, close } = await buildDeadLetterService(config, { logger: createLogger(jsonLinesSink('warn')) });
  try {
    if (command.kind === 'list') {
      const result = await service.list(command.request);
      if (!result.ok) return invalid(result.errors);
      process.stdout.write((command.json ? JSON.stringify(result.value, null, 2) : formatListing(result.value)) + '\n');
      return 0;
    }
    const result = await service[command.kind](command.request);
    if (!result.ok) return invalid(result.errors);
    process.stdout.write((command.json ? JSON.stringify(result.value, null, 2) : formatReport(result.value)) + '\n');
    return exitCodeOf(result.value);
  } finally {
    await close();
  }
}

function invalid(issues: readonly Issue[]): number {
  process.stderr.write(`invalid arguments:\n${issues.map((i) => `  ${describeIssue(i)}`).join('\n')}\n`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
