import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { fleetSchema, type Fleet } from './fleetSchema.js';

export type { Fleet, FleetInput } from './fleetSchema.js';

/** A fleet file that does not match the schema; each issue names the field path and what was expected. */
export class FleetError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(`invalid fleet ${source}:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
    this.name = 'FleetError';
  }
}

/** `devices[2].files["C:\\x"].generator` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** Validates a parsed fleet document and fills its defaults. Throws {@link FleetError}. */
export function parseFleet(json: unknown, source = 'fleet'): Fleet {
  const parsed = fleetSchema.safeParse(json);
  if (!parsed.success) throw new FleetError(source, issuesOf(parsed.error));
  return parsed.data;
}

/** Reads and validates a fleet file (JSON). Errors name the file, the field path and what was expected. */
export async function loadFleet(path: string): Promise<Fleet> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FleetError(path, [{ path: '', message: `expected JSON: ${(error as Error).message}` }]);
  }
  return parseFleet(json, path);
}
