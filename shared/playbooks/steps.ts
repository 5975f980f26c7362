import { z } from 'zod';
import { ARGUMENT_KINDS, encodingOf, validateArgument } from './argumentKinds.js';
import { ARGUMENT_SOURCE_NAMES, ARGUMENT_SOURCES } from './argumentSources.js';

/**
 * Steps: PutFile / RunScript / GetFile, in the order Defender requires.
 * A RunScript argument takes its value `from` a named source (the alert's
 * evidence, our run token) or is a literal `value` of the playbook; either
 * way it declares its kind (`as`) and is validated when rendered.
 */
export const libraryName = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'a library file name (letters, digits, - _ . only)');

/** GetFile paths: a Windows or POSIX absolute path; `{run.token}` is the only placeholder. */
export const devicePath = z
  .string()
  .max(260)
  .regex(/^([A-Za-z]:\\|\/)[A-Za-z0-9 _.\\/:{}-]*$/, 'an absolute path of letters, digits, space and _ . - \\ /')
  .refine((p) => !/\.\.[\\/]|[\\/]\.\.$/.test(p), 'no ".." segments')
  .refine((p) => (p.match(/\{[^}]*\}/g) ?? []).every((t) => t === '{run.token}'), 'no placeholder other than {run.token}');

export const argumentSchema = z
  .strictObject({
    /** The PowerShell parameter name; encoded kinds (fileName, filePath) must end in B64. */
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'a PowerShell parameter name (letters and digits)'),
    from: z.enum(ARGUMENT_SOURCE_NAMES).optional(),
    value: z.union([z.string(), z.number()]).optional(),
    as: z.enum(ARGUMENT_KINDS),
    /** When the source has no value, leave the argument out instead of refusing the device. */
    optional: z.boolean().default(false),
  })
  .superRefine((arg, ctx) => {
    if ((arg.from === undefined) === (arg.value === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'exactly one of from (a named source) or value (a literal)' });
    }
    if (arg.from !== undefined && !(ARGUMENT_SOURCES[arg.from].kinds as readonly string[]).includes(arg.as)) {
      ctx.addIssue({ code: 'custom', path: ['as'], message: `${arg.from} is of kind ${ARGUMENT_SOURCES[arg.from].kinds.join(' or ')}` });
    }
    if (arg.value !== undefined) {
      const checked = validateArgument(arg.as, arg.value);
      if (!checked.ok) ctx.addIssue({ code: 'custom', path: ['value'], message: checked.errors });
    }
    const encoded = encodingOf(arg.as) === 'base64url';
    if (encoded !== arg.name.endsWith('B64')) {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: encoded
          ? `a ${arg.as} travels base64url-encoded: its parameter name must end in B64`
          : 'only encoded kinds (fileName, filePath) take a name ending in B64',
      });
    }
  });
export type Argument = z.infer<typeof argumentSchema>;

export const stepSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('PutFile'), file: libraryName }),
  z.strictObject({ type: z.literal('RunScript'), script: libraryName, args: z.array(argumentSchema).default([]) }),
  z.strictObject({ type: z.literal('GetFile'), path: devicePath }),
]);
export type Step = z.infer<typeof stepSchema>;

export const STEP_ORDER = { PutFile: 0, RunScript: 1, GetFile: 2 } as const;

/** Evidence kinds the steps read (`alert.process.*` → process). */
export function evidenceNeeded(steps: readonly Step[]): Set<'process' | 'file'> {
  const needed = new Set<'process' | 'file'>();
  for (const step of steps) {
    if (step.type !== 'RunScript') continue;
    for (const arg of step.args) {
      const source = arg.from ? ARGUMENT_SOURCES[arg.from] : undefined;
      if (source && 'evidence' in source && !arg.optional) needed.add(source.evidence);
    }
  }
  return needed;
}

/** Whether any step takes a value from an alert (such a playbook cannot run without one). */
export function readsAlert(steps: readonly Step[]): boolean {
  return steps.some((s) => s.type === 'RunScript' && s.args.some((a) => a.from?.startsWith('alert.') ?? false));
}

/** Library files the steps use (RunScript scripts and PutFile files). */
export function libraryFilesUsed(steps: readonly Step[]): string[] {
  return [...new Set(steps.flatMap((s) => (s.type === 'RunScript' ? [s.script] : s.type === 'PutFile' ? [s.file] : [])))];
}
