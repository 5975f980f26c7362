import { z } from 'zod';
import { SEVERITIES } from '../alerts/alert.js';

/**
 * A playbook is data: when it applies, what it runs, on which devices.
 * Types come from this schema; the loader reports violations with the file,
 * the line, the field and what was expected.
 */

/** Kinds of value a RunScript argument may carry; each has a strict validator (argumentKinds.ts). */
export const ARGUMENT_KINDS = ['pid', 'token'] as const;
export const argumentKindSchema = z.enum(ARGUMENT_KINDS);
export type ArgumentKind = z.infer<typeof argumentKindSchema>;

/** Where an argument's value comes from: the alert's evidence or our own ids. */
export const ARGUMENT_SOURCES = ['alert.process.processId', 'run.token'] as const;

const scriptName = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'a library file name (letters, digits, - _ . only)');
const argName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'a PowerShell parameter name (letters and digits)');
/** GetFile paths: a Windows or POSIX absolute path; `{run.token}` is the only placeholder. */
const devicePath = z
  .string()
  .max(260)
  .regex(/^([A-Za-z]:\\|\/)[A-Za-z0-9 _.\\/:{}-]*$/, 'an absolute path of letters, digits, space and _ . - \\ /')
  .refine((p) => !/\.\.[\\/]|[\\/]\.\.$/.test(p), 'no ".." segments')
  .refine((p) => (p.match(/\{[^}]*\}/g) ?? []).every((t) => t === '{run.token}'), 'no placeholder other than {run.token}');

export const argumentSchema = z.strictObject({
  name: argName,
  from: z.enum(ARGUMENT_SOURCES),
  as: argumentKindSchema,
});

export const stepSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('PutFile'), file: scriptName }),
  z.strictObject({ type: z.literal('RunScript'), script: scriptName, args: z.array(argumentSchema).default([]) }),
  z.strictObject({ type: z.literal('GetFile'), path: devicePath }),
]);
export type Step = z.infer<typeof stepSchema>;

const STEP_ORDER = { PutFile: 0, RunScript: 1, GetFile: 2 } as const;

export const playbookSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and -'),
    version: z.string().min(1),
    description: z.string().min(1),
    /** Higher wins when several playbooks match one alert. */
    priority: z.number().int().default(0),
    /** Which triggers may start it. */
    triggers: z.array(z.enum(['alert', 'manual', 'schedule'])).min(1),
    when: z
      .strictObject({
        severityAtLeast: z.enum(SEVERITIES).optional(),
        categories: z.array(z.string()).min(1).optional(),
        titlePattern: z
          .string()
          .refine((p) => { try { new RegExp(p, 'i'); return true; } catch { return false; } }, 'a valid regular expression')
          .optional(),
        requires: z.array(z.enum(['process', 'file'])).default([]),
      })
      .default({ requires: [] }),
    steps: z.array(stepSchema).min(1),
    schedule: z
      .strictObject({
        cron: z.string().min(1),
        deviceTag: z.string().min(1),
      })
      .optional(),
    limits: z.strictObject({ maxDevices: z.number().int().min(1).max(500).default(25) }).default({ maxDevices: 25 }),
    safety: z.strictObject({ excludeTags: z.array(z.string()).default([]) }).default({ excludeTags: [] }),
  })
  .superRefine((pb, ctx) => {
    pb.steps.forEach((step, i) => {
      const previous = pb.steps[i - 1];
      if (previous && STEP_ORDER[step.type] < STEP_ORDER[previous.type]) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'type'], message: `Defender requires the order PutFile, RunScript, GetFile; ${step.type} cannot follow ${previous.type}` });
      }
    });
    if (pb.triggers.includes('schedule') && !pb.schedule) {
      ctx.addIssue({ code: 'custom', path: ['schedule'], message: 'required when triggers include schedule' });
    }
    const needsProcess = pb.steps.some((s) => s.type === 'RunScript' && s.args.some((a) => a.from.startsWith('alert.process')));
    if (needsProcess && !pb.when.requires.includes('process')) {
      ctx.addIssue({ code: 'custom', path: ['when', 'requires'], message: 'must include process: a step takes an argument from alert.process' });
    }
  });

export type Playbook = z.infer<typeof playbookSchema>;

/** A playbook as loaded: the parsed content plus where it came from and its content hash. */
export interface LoadedPlaybook {
  playbook: Playbook;
  file: string;
  contentSha256: string;
}
