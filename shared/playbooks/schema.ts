import { z } from 'zod';
import { DAY_MS } from '../clock.js';
import { hasConditions, osFamilies, whenSchema } from './conditions.js';
import { parseCron } from './cron.js';
import { evidenceNeeded, libraryFilesUsed, libraryName, readsAlert, STEP_ORDER, stepSchema } from './steps.js';

export { ARGUMENT_KINDS, type ArgumentKind } from './argumentKinds.js';
export type { Argument, Step } from './steps.js';

/**
 * A playbook is data: when it applies, where (which devices), what it runs,
 * on what schedule, within which limits and safety rules. Types come from
 * this schema; the loader reports violations with the file, the line, the
 * field and what was expected. Reference: docs/playbooks.md.
 */
const names = z.array(z.string().min(1)).min(1);

/** Devices for schedule runs and for manual runs that give no device list. */
export const whereSchema = z
  .strictObject({
    tags: names.optional(),
    osPlatforms: names.optional(),
    /** OS families (windows, linux, macos): narrows a selection by tags, osPlatforms or namePrefix. */
    os: osFamilies.optional(),
    namePrefix: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, 'a computer name prefix of letters, digits, . and -')
      .optional(),
  })
  .refine(
    (w) => w.tags ?? w.osPlatforms ?? w.namePrefix,
    'at least one of tags, osPlatforms, namePrefix (a where that selects every device is refused; os only narrows one, as Defender cannot list machines by OS family)',
  );
export type Where = z.infer<typeof whereSchema>;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: DAY_MS } as const;
const duration = z
  .string()
  .regex(/^[1-9][0-9]{0,4}[mhd]$/, 'a duration such as 90m, 6h or 2d')
  .transform((text) => Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS])
  .refine(
    (ms) => ms >= 10 * 60_000 && ms <= 3 * DAY_MS,
    'between 10m and 3d (Defender keeps an action queued for an offline device at most 3 days)',
  );

const limitsSchema = z
  .strictObject({
    maxDevices: z.number().int().min(1).max(500).default(25),
    /** Cancel a device's action still Pending this long after the run started (default: the configured offline deadline). */
    deadline: duration.optional(),
  })
  .transform(({ deadline, ...rest }) => ({ ...rest, deadlineMs: deadline }));

const safetySchema = z.strictObject({
  /** Devices carrying any of these tags are refused (e.g. Tier0). */
  excludeTags: z.array(z.string().min(1)).default([]),
  /** The library files this playbook may run or put; every RunScript/PutFile must be listed. */
  allowedScripts: z.array(libraryName).default([]),
});

export const playbookSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and -'),
    version: z.string().min(1),
    description: z.string().min(1),
    /** Higher wins when several playbooks match one alert. */
    priority: z.number().int().default(0),
    /** Which triggers may start it. */
    triggers: z.array(z.enum(['alert', 'manual', 'schedule'])).min(1),
    /** never: one run per (alert, playbook, device); onUpdate: an updated alert (new lastUpdateTime) runs again. */
    rerun: z.enum(['never', 'onUpdate']).default('never'),
    when: whenSchema.prefault({}),
    where: whereSchema.optional(),
    steps: z.array(stepSchema).min(1),
    schedule: z.strictObject({ cron: z.string().min(1) }).optional(),
    limits: limitsSchema.prefault({}),
    safety: safetySchema.prefault({}),
  })
  .superRefine((pb, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    pb.steps.forEach((step, i) => {
      const previous = pb.steps[i - 1];
      if (previous && STEP_ORDER[step.type] < STEP_ORDER[previous.type]) {
        issue(['steps', i, 'type'], `Defender requires the order PutFile, RunScript, GetFile; ${step.type} cannot follow ${previous.type}`);
      }
      const file = step.type === 'RunScript' ? step.script : step.type === 'PutFile' ? step.file : undefined;
      if (file !== undefined && !pb.safety.allowedScripts.includes(file)) {
        issue(
          ['steps', i, step.type === 'RunScript' ? 'script' : 'file'],
          `${file} is not in safety.allowedScripts (${pb.safety.allowedScripts.join(', ') || 'empty'})`,
        );
      }
    });
    const unused = pb.safety.allowedScripts.filter((s) => !libraryFilesUsed(pb.steps).includes(s));
    if (unused.length > 0) issue(['safety', 'allowedScripts'], `lists ${unused.join(', ')}, which no step uses`);
    if (pb.triggers.includes('schedule') && !pb.schedule) issue(['schedule'], 'required when triggers include schedule');
    if (pb.schedule && !pb.triggers.includes('schedule')) issue(['triggers'], 'must include schedule when a schedule is given');
    if (pb.schedule) {
      const cron = parseCron(pb.schedule.cron);
      if (!cron.ok) issue(['schedule', 'cron'], `an NCRONTAB expression: ${cron.errors}`);
    }
    if (pb.triggers.includes('schedule') && !pb.where) issue(['where'], 'required when triggers include schedule (which devices?)');
    if (pb.where && !pb.triggers.some((t) => t !== 'alert'))
      issue(['where'], 'selects devices for schedule and manual runs; this playbook has neither trigger');
    if (pb.triggers.includes('alert') && !hasConditions(pb.when)) {
      issue(['when'], 'an alert-triggered playbook needs at least one condition (an empty when would answer every alert)');
    }
    if (readsAlert(pb.steps) && pb.triggers.some((t) => t !== 'alert')) {
      issue(['triggers'], 'steps take values from an alert: only the alert trigger can supply them');
    }
    for (const needed of evidenceNeeded(pb.steps)) {
      if (!pb.when.requires.includes(needed))
        issue(['when', 'requires'], `must include ${needed}: a step takes an argument from alert.${needed}`);
    }
  });

export type Playbook = z.infer<typeof playbookSchema>;

/** A playbook as loaded: the parsed content plus where it came from and its content hash. */
export interface LoadedPlaybook {
  playbook: Playbook;
  file: string;
  contentSha256: string;
}
