import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { ValidationError } from '../errors.js';
import { toIssues } from '../validation.js';
import { playbookSchema, type LoadedPlaybook } from './schema.js';

/**
 * Loads every `*.yaml`/`*.yml` playbook in a folder. Any invalid playbook
 * fails the whole load with an error naming the file, the line, the field
 * and what was expected, e.g.
 *   playbooks/dump.yaml:14 steps.1.path: an absolute path of letters, ...
 */
export async function loadPlaybooks(dir: string): Promise<LoadedPlaybook[]> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  const loaded: LoadedPlaybook[] = [];
  const problems: { path: string; message: string }[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      loaded.push(parsePlaybook(await readFile(file, 'utf8'), file));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.issues);
    }
  }
  const seen = new Map<string, string>();
  for (const { playbook, file } of loaded) {
    const other = seen.get(playbook.name);
    if (other) problems.push({ path: `${file} name`, message: `playbook name "${playbook.name}" is also used by ${other}` });
    seen.set(playbook.name, file);
  }
  if (problems.length > 0) {
    throw new ValidationError(`invalid playbooks:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`, problems);
  }
  return loaded;
}

/** Parses one playbook's YAML text; `file` names it in errors. */
export function parsePlaybook(text: string, file: string): LoadedPlaybook {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => ({
      path: `${file}:${lineCounter.linePos(e.pos[0]).line}`,
      message: `YAML: ${e.message.split('\n')[0] ?? e.message}`,
    }));
    throw new ValidationError(issues.map((i) => `${i.path} ${i.message}`).join('\n'), issues);
  }
  const parsed = playbookSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issues = toIssues(parsed.error, { where: (fieldPath) => `${file}:${lineOf(doc, lineCounter, fieldPath)}` });
    throw new ValidationError(issues.map((i) => `${i.path}: ${i.message}`).join('\n'), issues);
  }
  return { playbook: parsed.data, file, contentSha256: createHash('sha256').update(text).digest('hex') };
}

/** Line of the deepest node that exists on the path (the field itself, or its parent when missing). */
function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: readonly PropertyKey[]): number {
  const fieldPath = path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  for (let depth = fieldPath.length; depth >= 0; depth--) {
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(fieldPath.slice(0, depth), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return 1;
}
