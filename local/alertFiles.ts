import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The alert files `npm start -- --alerts PATH` injects: the file, or a folder's .json files in name order. */
export async function listAlertFiles(target: string): Promise<string[]> {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new Error(`--alerts: ${target} does not exist`);
  if (info.isFile()) return [target];
  const names = (await readdir(target)).filter((n) => n.endsWith('.json')).sort();
  if (names.length === 0) throw new Error(`--alerts: no .json files in ${target}`);
  return names.map((n) => path.join(target, n));
}

/**
 * An alert file's body: its JSON, or, when it is not JSON, its text as it is:
 * the alert handler dead-letters that with its reason, as the Function App
 * would a malformed message, instead of this host ending mid-run.
 */
export async function readAlertFile(file: string): Promise<{ body: unknown; json: boolean }> {
  const text = await readFile(file, 'utf8');
  try {
    return { body: JSON.parse(text) as unknown, json: true };
  } catch {
    return { body: text, json: false };
  }
}
