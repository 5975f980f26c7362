import type { z } from 'zod';
import type { Issue } from './result.js';

/** A field path dotted (`steps.1.path`); `(root)` when empty. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.length > 0 ? path.map(String).join('.') : '(root)';
}

export interface IssueOptions {
  /** Where the validated value sits in a larger input: prefixed to every path (`records.3.properties`). */
  at?: readonly PropertyKey[];
  /** Names the place of a path (a file and line): written before the dotted path, with a space. */
  where?: (path: readonly PropertyKey[]) => string;
}

/** zod issues as `{ path, message }`, the path dotted (`steps.1.path`). The one zod-to-issue conversion. */
export function toIssues(error: z.ZodError, { at = [], where }: IssueOptions = {}): Issue[] {
  return error.issues.map((issue) => {
    const path = [...at, ...issue.path];
    return { path: where ? `${where(path)} ${dottedPath(path)}` : dottedPath(path), message: issue.message };
  });
}

export function describeIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
