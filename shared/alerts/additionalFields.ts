import { z } from 'zod';
import { toMs } from './alert.js';
import { deviceIdField } from './fields.js';

/**
 * The facts the responder reads from an AlertEvidence row's
 * `AdditionalFields`: a JSON object in a string (sometimes already parsed),
 * holding the entity as Defender describes it. A Process row carries
 * `ProcessId` (a string of digits), `CommandLine`, `CreationTimeUtc`,
 * `ParentProcess` and `ImageFile` (with the device at `ImageFile.Host.MachineId`);
 * other rows may name their device at `Host.MachineId` or `MachineId`.
 * Every value is attacker-written data: it is read, never cleaned up, and a
 * value that is not what it should be is reported as a problem and left out.
 */
export interface AdditionalFacts {
  processId?: number;
  parentProcessId?: number;
  commandLine?: string;
  processCreatedMs?: number;
  /** The device the entity lives on (40 lower-case hex digits). */
  hostDeviceId?: string;
  imageFileName?: string;
  imageFolderPath?: string;
  /** What could not be read, in words (never the value itself). */
  problems: string[];
}

/** A longer AdditionalFields is not read (a real one is a few KiB). */
export const MAX_ADDITIONAL_FIELDS_CHARS = 64 * 1024;

/** Process ids on every OS Defender covers fit in 32 bits. */
const MAX_PROCESS_ID = 0xffff_ffff;

const text = z.string().optional().catch(undefined);
const hostSchema = z.object({ MachineId: z.unknown() }).partial().loose().optional().catch(undefined);
const imageFileSchema = z.object({ Name: text, Directory: text, Host: hostSchema }).partial().loose().optional().catch(undefined);
const fieldsSchema = z
  .object({
    ProcessId: z.unknown(),
    CommandLine: z.unknown(),
    CreationTimeUtc: text,
    ParentProcess: z.object({ ProcessId: z.unknown() }).partial().loose().optional().catch(undefined),
    ImageFile: imageFileSchema,
    Host: hostSchema,
    MachineId: z.unknown(),
  })
  .partial()
  .loose();

/** Reads `AdditionalFields` defensively: absent is no facts; unreadable is a problem, never a throw. */
export function readAdditionalFields(value: unknown): AdditionalFacts {
  if (value === undefined || value === null || value === '') return { problems: [] };
  let json: unknown = value;
  if (typeof value === 'string') {
    if (value.length > MAX_ADDITIONAL_FIELDS_CHARS)
      return { problems: [`AdditionalFields is ${value.length} characters, over ${MAX_ADDITIONAL_FIELDS_CHARS}: not read`] };
    try {
      json = JSON.parse(value);
    } catch {
      return { problems: ['AdditionalFields is not JSON: not read'] };
    }
  }
  const parsed = fieldsSchema.safeParse(json);
  if (!parsed.success || json === null || typeof json !== 'object' || Array.isArray(json))
    return { problems: ['AdditionalFields is not a JSON object: not read'] };
  const f = parsed.data;
  const problems: string[] = [];
  const facts: AdditionalFacts = { problems };
  facts.processId = processIdOf(f.ProcessId, 'ProcessId', problems);
  facts.parentProcessId = processIdOf(f.ParentProcess?.ProcessId, 'ParentProcess.ProcessId', problems);
  if (typeof f.CommandLine === 'string' && f.CommandLine !== '') facts.commandLine = f.CommandLine;
  else if (f.CommandLine !== undefined && f.CommandLine !== null && f.CommandLine !== '')
    problems.push('AdditionalFields.CommandLine is not text');
  facts.processCreatedMs = toMs(f.CreationTimeUtc);
  facts.imageFileName = f.ImageFile?.Name || undefined;
  facts.imageFolderPath = f.ImageFile?.Directory || undefined;
  facts.hostDeviceId =
    deviceIdOf(f.ImageFile?.Host?.MachineId, 'ImageFile.Host.MachineId', problems) ??
    deviceIdOf(f.Host?.MachineId, 'Host.MachineId', problems) ??
    deviceIdOf(f.MachineId, 'MachineId', problems);
  return facts;
}

/** `"6324"` or `6324`; anything else (`"6324; calc"`, `-1`, `1e9999`) is a problem. */
function processIdOf(value: unknown, name: string, problems: string[]): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const digits = typeof value === 'number' ? String(value) : value;
  if (typeof digits === 'string' && /^\d{1,10}$/.test(digits) && Number(digits) <= MAX_PROCESS_ID) return Number(digits);
  problems.push(`AdditionalFields.${name} is not a process id`);
  return undefined;
}

function deviceIdOf(value: unknown, name: string, problems: string[]): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (deviceIdField.safeParse(value).success) return (value as string).toLowerCase();
  problems.push(`AdditionalFields.${name} is not a Defender device id`);
  return undefined;
}
