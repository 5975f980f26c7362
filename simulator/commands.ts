import { COMMAND_TYPES, type CommandParam, type CommandType } from '../shared/defender/types.js';
import { invalidInput, invalidRequestBody, missingParameter } from './errors.js';

/**
 * Validation of the runliveresponse body (mde-api.md 2.1). JSON keys are
 * case-sensitive; unknown or wrongly-cased keys → 400 InvalidRequestBody,
 * missing `Commands`/`type`/`params`/`key`/`value` → 400
 * MissingRequiredParameter; command type, order and parameter keys → 400
 * InvalidInput (simulator choice: Microsoft does not document that code).
 */
export interface ValidatedCommand {
  readonly type: CommandType;
  readonly params: readonly CommandParam[];
}

export interface LiveResponseRequest {
  readonly commands: readonly ValidatedCommand[];
  readonly comment: string | null;
}

const ORDER: Record<CommandType, number> = { PutFile: 0, RunScript: 1, GetFile: 2 };
const PARAMS: Record<CommandType, { required: readonly string[]; optional: readonly string[] }> = {
  PutFile: { required: ['FileName'], optional: [] },
  RunScript: { required: ['ScriptName'], optional: ['Args'] },
  GetFile: { required: ['Path'], optional: [] },
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(where: string, obj: Record<string, unknown>, allowed: readonly string[], required: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const hint = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
      throw invalidRequestBody(
        `Request body is incorrect: unknown property '${key}' in ${where}${hint ? ` (property names are case-sensitive: use '${hint}')` : ''}.`,
      );
    }
  }
  for (const key of required) {
    if (!(key in obj)) throw missingParameter(`Missing required parameter '${key}' in ${where}.`);
  }
}

function validateParams(index: number, type: CommandType, raw: unknown): CommandParam[] {
  const where = `Commands[${index}].params`;
  if (!Array.isArray(raw)) throw invalidRequestBody(`Request body is incorrect: ${where} must be an array.`);
  const params: CommandParam[] = raw.map((p: unknown, i) => {
    if (!isRecord(p)) throw invalidRequestBody(`Request body is incorrect: ${where}[${i}] must be an object.`);
    checkKeys(`${where}[${i}]`, p, ['key', 'value'], ['key', 'value']);
    if (typeof p.key !== 'string' || typeof p.value !== 'string') {
      throw invalidRequestBody(`Request body is incorrect: ${where}[${i}].key and .value must be strings.`);
    }
    return { key: p.key, value: p.value };
  });
  const spec = PARAMS[type];
  const seen = new Set<string>();
  for (const { key, value } of params) {
    if (![...spec.required, ...spec.optional].includes(key)) {
      throw invalidInput(
        `Invalid parameter '${key}' for command ${type} at index ${index}; expected ${[...spec.required, ...spec.optional].join(', ')} (case-sensitive).`,
      );
    }
    if (seen.has(key)) throw invalidInput(`Parameter '${key}' appears more than once in command ${type} at index ${index}.`);
    seen.add(key);
    if (spec.required.includes(key) && value.trim() === '')
      throw invalidInput(`Parameter '${key}' of command ${type} at index ${index} must not be empty.`);
  }
  for (const key of spec.required) {
    if (!seen.has(key)) throw invalidInput(`Command ${type} at index ${index} requires parameter '${key}'.`);
  }
  return params;
}

/** Throws an ApiError (400) describing the first problem found. */
export function validateLiveResponseBody(body: unknown): LiveResponseRequest {
  if (!isRecord(body)) throw invalidRequestBody();
  checkKeys('the request body', body, ['Commands', 'Comment'], ['Commands']);
  const comment = body.Comment;
  if (comment !== undefined && comment !== null && typeof comment !== 'string') {
    throw invalidRequestBody('Request body is incorrect: Comment must be a string.');
  }
  if (!Array.isArray(body.Commands)) throw invalidRequestBody('Request body is incorrect: Commands must be an array.');
  if (body.Commands.length === 0) throw invalidInput('Commands must contain at least one command.');
  let lastOrder = -1;
  const commands = body.Commands.map((raw: unknown, index): ValidatedCommand => {
    if (!isRecord(raw)) throw invalidRequestBody(`Request body is incorrect: Commands[${index}] must be an object.`);
    checkKeys(`Commands[${index}]`, raw, ['type', 'params'], ['type', 'params']);
    const type = raw.type;
    if (typeof type !== 'string' || !(COMMAND_TYPES as readonly string[]).includes(type)) {
      throw invalidInput(`Unsupported command type '${String(type)}' at index ${index}; supported: ${COMMAND_TYPES.join(', ')}.`);
    }
    const commandType = type as CommandType;
    if (ORDER[commandType] < lastOrder) {
      throw invalidInput(
        `Command ${commandType} at index ${index} is out of order: commands must appear in the order PutFile, RunScript, GetFile.`,
      );
    }
    lastOrder = ORDER[commandType];
    return { type: commandType, params: validateParams(index, commandType, raw.params) };
  });
  return { commands, comment: typeof comment === 'string' ? comment : null };
}

export const paramOf = (command: ValidatedCommand, key: string): string | undefined => command.params.find((p) => p.key === key)?.value;
