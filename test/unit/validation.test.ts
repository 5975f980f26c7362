import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toIssues } from '../../shared/validation.js';

const schema = z.object({ steps: z.array(z.object({ path: z.string() })) });
const errorOf = (value: unknown): z.ZodError => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a failure');
  return parsed.error;
};

describe('zod issues as { path, message }', () => {
  it.each([
    ['a dotted field path', { steps: [{ path: 'a' }, { path: 1 }] }, {}, 'steps.1.path'],
    ['(root) for the value itself', 'not an object', {}, '(root)'],
    ['the place in a larger input first', { steps: [{}] }, { at: ['records', 3, 'properties'] }, 'records.3.properties.steps.0.path'],
    [
      'a named place before the path',
      { steps: [{}] },
      { where: (p: readonly PropertyKey[]) => `pb.yaml:${p.length}` },
      'pb.yaml:3 steps.0.path',
    ],
  ])('gives %s', (_what, value, options, path) => {
    const [issue] = toIssues(errorOf(value), options);
    expect(issue?.path).toBe(path);
    expect(issue?.message).not.toBe('');
  });
});
