import { z } from 'zod';
import { DEVICE_OS, SEVERITIES } from '../alerts/alert.js';

/**
 * `when`: the alert conditions a playbook answers. Every key of one
 * condition must hold (all of them); `all`, `any` and `none` combine nested
 * conditions. Text compares case-insensitively; sources accept Graph's enum
 * names or any known spelling (alerts/sources.ts); a technique `T1003` also
 * matches its sub-techniques (`T1003.001`).
 */
const names = z.array(z.string().min(1)).min(1);
export const osFamilies = z.array(z.enum(DEVICE_OS, { error: `an OS family: ${DEVICE_OS.join(', ')}` })).min(1);

const validRegex = z
  .string()
  .max(200)
  .refine((p) => {
    try {
      new RegExp(p, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'a valid regular expression');

const leafShape = {
  /** A regular expression tried (case-insensitively) on the first 512 characters of the title. */
  titlePattern: validRegex.optional(),
  categories: names.optional(),
  severityAtLeast: z.enum(SEVERITIES).optional(),
  detectionSources: names.optional(),
  serviceSources: names.optional(),
  mitreTechniques: z
    .array(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'a MITRE ATT&CK technique id such as T1003 or T1003.001'))
    .min(1)
    .optional(),
  /** The device carries at least one of these tags (Defender's machine record). */
  deviceTags: names.optional(),
  /** The device's osPlatform is one of these (e.g. Windows11, WindowsServer2022). */
  osPlatforms: names.optional(),
  /** The device's OS family is one of these (windows, linux, macos); an unknown OS is none of them. */
  os: osFamilies.optional(),
};

export const LEAF_KEYS = Object.keys(leafShape) as (keyof typeof leafShape)[];

/** Conditions on the device rather than the alert: they need Defender's machine record. */
export const DEVICE_KEYS = ['deviceTags', 'osPlatforms', 'os'] as const;

export interface Condition {
  titlePattern?: string;
  categories?: string[];
  severityAtLeast?: (typeof SEVERITIES)[number];
  detectionSources?: string[];
  serviceSources?: string[];
  mitreTechniques?: string[];
  deviceTags?: string[];
  osPlatforms?: string[];
  os?: (typeof DEVICE_OS)[number][];
  all?: Condition[];
  any?: Condition[];
  none?: Condition[];
}

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.strictObject({
    ...leafShape,
    all: z.array(conditionSchema).min(1).optional(),
    any: z.array(conditionSchema).min(1).optional(),
    none: z.array(conditionSchema).min(1).optional(),
  }),
);

/** The top level of `when`: a condition plus the evidence the steps need. */
export const whenSchema = z.strictObject({
  ...leafShape,
  all: z.array(conditionSchema).min(1).optional(),
  any: z.array(conditionSchema).min(1).optional(),
  none: z.array(conditionSchema).min(1).optional(),
  /** Evidence the alert must carry (steps that read alert.process.* need process). */
  requires: z.array(z.enum(['process', 'file'])).default([]),
});
export type When = z.infer<typeof whenSchema>;

/** Whether a condition tree says anything at all (an empty `when` would answer every alert). */
export function hasConditions(condition: Condition): boolean {
  return LEAF_KEYS.some((k) => condition[k] !== undefined) || [condition.all, condition.any, condition.none].some((c) => c !== undefined);
}

/** Whether a condition tree tests the device (tags, OS). */
export function usesDeviceFacts(condition: Condition): boolean {
  return (
    DEVICE_KEYS.some((k) => condition[k] !== undefined) ||
    [...(condition.all ?? []), ...(condition.any ?? []), ...(condition.none ?? [])].some(usesDeviceFacts)
  );
}
