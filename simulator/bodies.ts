import type { z } from 'zod';
import { ApiError, invalidInput, invalidRequestBody, missingParameter } from './errors.js';

/**
 * Validates a JSON request body with a zod schema and turns the first issue
 * into the MDE error it stands for (the runliveresponse mapping, README
 * choice 1): an unknown or wrongly-cased key → 400 InvalidRequestBody; a
 * missing required key → 400 MissingRequiredParameter; a value of the wrong
 * JSON type → 400 InvalidRequestBody; a value outside its enum, an empty
 * string or list → 400 InvalidInput; a list over its documented size → 400
 * MaximumBatchSizeExceeded. Every message names the field.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequestBody('Request body is incorrect: expected a JSON object.');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  if (!issue) throw invalidRequestBody();
  throw errorFor(issue, body as Record<string, unknown>, allowedKeys(schema));
}

function allowedKeys(schema: z.ZodType): readonly string[] {
  const shape = (schema as { shape?: unknown }).shape;
  return typeof shape === 'object' && shape !== null ? Object.keys(shape) : [];
}

function valueAt(body: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  let value: unknown = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function errorFor(issue: z.core.$ZodIssue, body: Record<string, unknown>, allowed: readonly string[]): ApiError {
  const field = fieldName(issue.path);
  if (issue.code !== 'unrecognized_keys' && issue.path.length > 0 && valueAt(body, issue.path) === undefined) {
    return missingParameter(`Missing required parameter '${field}'.`);
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const hint = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
      return invalidRequestBody(
        `Request body is incorrect: unknown property '${key}'${hint ? ` (property names are case-sensitive: use '${hint}')` : ''}.`,
      );
    }
    case 'invalid_type':
      return invalidRequestBody(
        `Request body is incorrect: '${field}' must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}.`,
      );
    case 'invalid_value':
      return invalidInput(
        `Invalid value '${String(valueAt(body, issue.path))}' for '${field}'; allowed values: ${issue.values.map(String).join(', ')}.`,
      );
    case 'too_small':
      return invalidInput(`'${field}' must not be empty.`);
    case 'too_big':
      return new ApiError(
        400,
        'MaximumBatchSizeExceeded',
        `'${field}' has more than ${String(issue.maximum)} items, the maximum per call.`,
      );
    default:
      return invalidInput(`Invalid value for '${field}': ${issue.message}`);
  }
}
