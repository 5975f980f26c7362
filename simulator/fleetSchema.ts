import { z } from 'zod';
import { SIMULATOR_DEFAULT_TENANT_ID } from './credential.js';
import { settingsSchema } from './settings.js';

/**
 * The fleet file: the simulated tenant's devices, library, portal sessions,
 * alerts and limits. Offsets (`...Ms`) count from the simulator's start
 * (the injected clock's reading when it starts). See README.md.
 */

const ms = z.number({ error: 'expected a non-negative whole number of milliseconds' }).int().nonnegative();
const seed = z.union([z.string(), z.number()], { error: 'expected a string or a number' });
const sizeBytes = z
  .number({ error: 'expected a size: a non-negative whole number of bytes' })
  .int()
  .nonnegative()
  .max(Number.MAX_SAFE_INTEGER);

export const deviceIdSchema = z
  .string({ error: 'expected a device id (40 hexadecimal characters)' })
  .regex(/^[0-9a-f]{40}$/, { error: 'expected a device id: 40 lower-case hexadecimal characters' });

/** A file on a device: literal text, base64 bytes, or seeded pseudo-random bytes. */
export const fileSpecSchema = z
  .strictObject({
    content: z.string().optional(),
    contentBase64: z.base64().optional(),
    generator: z.strictObject({ seed, sizeBytes }).optional(),
  })
  .refine((f) => [f.content, f.contentBase64, f.generator].filter((v) => v !== undefined).length === 1, {
    error: 'expected exactly one of "content", "contentBase64" or "generator"',
  });
export type FileSpec = z.output<typeof fileSpecSchema>;

/** A file a script creates. `path`, `content` and `generator.seed` may hold `{ArgName}` placeholders. */
export const scriptWriteSchema = z
  .strictObject({
    path: z.string().min(1),
    content: z.string().optional(),
    generator: z.strictObject({ seed: seed.optional(), sizeBytes }).optional(),
  })
  .refine((w) => (w.content === undefined) !== (w.generator === undefined), {
    error: 'expected exactly one of "content" or "generator"',
  });
export type ScriptWrite = z.output<typeof scriptWriteSchema>;

/** What a library script does when RunScript runs it on a device. Every field is optional; see scripts.ts for defaults. */
export const scriptBehaviourSchema = z.strictObject({
  durationMs: ms.optional(),
  exitCode: z.number().int().optional(),
  output: z.string().optional(),
  errors: z.string().optional(),
  fail: z.boolean().optional(),
  requiredArgs: z.array(z.string().min(1)).optional(),
  processArg: z.string().min(1).optional(),
  writes: z.array(scriptWriteSchema).optional(),
});
export type ScriptBehaviour = z.output<typeof scriptBehaviourSchema>;

const window = z.strictObject({ fromMs: ms, untilMs: ms.optional() });
export const availabilitySchema = z.union(
  [
    z.literal('always'),
    z.literal('never'),
    z.strictObject({ online: z.enum(['always', 'never']) }),
    z.strictObject({ offlineUntilMs: ms }),
    z.strictObject({ onlineWindows: z.array(window) }),
  ],
  {
    error:
      'expected "always", "never", {"online": "always"|"never"}, {"offlineUntilMs": n} or {"onlineWindows": [{"fromMs": n, "untilMs"?: n}]}',
  },
);
export type Availability = z.output<typeof availabilitySchema>;

export const deviceSchema = z.strictObject({
  id: deviceIdSchema,
  computerDnsName: z.string().min(1),
  osPlatform: z.string().min(1).default('Windows11'),
  osVersion: z.string().optional(),
  version: z.string().optional(),
  tags: z.array(z.string()).default([]),
  healthStatus: z
    .enum(['Active', 'Inactive', 'ImpairedCommunication', 'NoSensorData', 'NoSensorDataImpairedCommunication', 'Unknown'])
    .default('Active'),
  riskScore: z.enum(['None', 'Informational', 'Low', 'Medium', 'High']).default('None'),
  exposureLevel: z.enum(['None', 'Low', 'Medium', 'High']).default('Low'),
  deviceValue: z.enum(['Normal', 'Low', 'High']).default('Normal'),
  lastIpAddress: z.string().optional(),
  aadDeviceId: z.string().nullable().optional(),
  rbacGroupId: z.number().int().default(0),
  rbacGroupName: z.string().nullable().default(null),
  /** Device in an RBAC group with no automation level: runliveresponse → 403 DisallowedOperation. */
  noAutomationLevel: z.boolean().default(false),
  availability: availabilitySchema.default('always'),
  processes: z.array(z.strictObject({ pid: z.number().int().positive(), name: z.string().min(1) })).default([]),
  files: z.record(z.string().min(1), fileSpecSchema).default({}),
  scripts: z.record(z.string().min(1), scriptBehaviourSchema).default({}),
});
export type DeviceSpec = z.output<typeof deviceSchema>;

export const libraryEntrySchema = z.strictObject({
  fileName: z.string().min(1),
  description: z.string().nullable().default(null),
  hasParameters: z.boolean().default(false),
  parametersDescription: z.string().nullable().default(null),
  content: z.string(),
  createdBy: z.string().default('soc-admin@contoso.local'),
});
export type LibraryEntrySpec = z.output<typeof libraryEntrySchema>;

export const portalSessionSchema = z.strictObject({ deviceId: deviceIdSchema, fromMs: ms, untilMs: ms });
export type PortalSession = z.output<typeof portalSessionSchema>;

/**
 * Another application of the tenant calling runliveresponse on its own
 * schedule (choice 26): the simulator makes its calls itself, evenly spaced
 * from `fromMs` until `untilMs`, and each call it admits opens a session of
 * `sessionMs`.
 */
export const otherAppSchema = z.strictObject({
  /** Names the app in statistics (`stats().otherApps`) and its action's script. */
  name: z.string().min(1),
  /** The app id its actions show as `requestor` (default: a GUID derived from `name`). */
  appId: z.string().min(1).optional(),
  /** Default: SimulatorCredential's default tenant, the tenant our own tokens name unless told otherwise. */
  tenantId: z.string().min(1).default(SIMULATOR_DEFAULT_TENANT_ID),
  /** Calls a minute, spaced 60,000 / n ms apart; may be a fraction (0.5 = one call every two minutes). */
  liveResponseCallsPerMinute: z.number({ error: 'expected calls per minute: a number above 0' }).positive().max(60_000),
  /** How long each session it opens stays open (Pending or InProgress) before it ends. */
  sessionMs: ms.positive(),
  /** `InProgress` (default): its device picks the action up at once and it ends Succeeded; `Pending`: never picked up, it ends TimeOut. */
  sessionStatus: z.enum(['InProgress', 'Pending']).default('InProgress'),
  /** Fleet devices it targets in turn (a busy device is skipped); default: devices outside the fleet, a new one each call. */
  deviceIds: z.array(deviceIdSchema).min(1).optional(),
  /** Its first call (default 0: at the simulator's start). */
  fromMs: ms.default(0),
  /** No call at or after this time (default: calls go on as long as the simulator). */
  untilMs: ms.optional(),
});
export type OtherAppSpec = z.output<typeof otherAppSchema>;

export const alertSpecSchema = z.looseObject({ id: z.string().min(1) });
export type AlertSpec = z.output<typeof alertSpecSchema>;

export const fleetSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().default('fleet'),
    description: z.string().optional(),
    seed: z.number().int().default(1),
    options: settingsSchema.prefault({}),
    scriptDefaults: z.record(z.string().min(1), scriptBehaviourSchema).default({}),
    library: z.array(libraryEntrySchema).default([]),
    devices: z.array(deviceSchema).min(1, { error: 'expected at least one device' }),
    portalSessions: z.array(portalSessionSchema).default([]),
    alerts: z.array(alertSpecSchema).default([]),
    otherApps: z.array(otherAppSchema).default([]),
  })
  .superRefine((fleet, ctx) => {
    const seen = (values: string[], field: 'id' | 'computerDnsName'): void => {
      const first = new Map<string, number>();
      values.forEach((v, i) => {
        const key = v.toLowerCase();
        const at = first.get(key);
        if (at === undefined) first.set(key, i);
        else ctx.addIssue({ code: 'custom', path: ['devices', i, field], message: `duplicate of devices[${at}].${field} ("${v}")` });
      });
    };
    seen(
      fleet.devices.map((d) => d.id),
      'id',
    );
    seen(
      fleet.devices.map((d) => d.computerDnsName),
      'computerDnsName',
    );
    const ids = new Set(fleet.devices.map((d) => d.id));
    fleet.portalSessions.forEach((s, i) => {
      if (!ids.has(s.deviceId))
        ctx.addIssue({
          code: 'custom',
          path: ['portalSessions', i, 'deviceId'],
          message: `expected the id of a device in "devices", got "${s.deviceId}"`,
        });
      if (s.untilMs <= s.fromMs)
        ctx.addIssue({ code: 'custom', path: ['portalSessions', i, 'untilMs'], message: 'expected untilMs greater than fromMs' });
    });
    const appNames = new Map<string, number>();
    fleet.otherApps.forEach((app, i) => {
      const at = appNames.get(app.name);
      if (at !== undefined) ctx.addIssue({ code: 'custom', path: ['otherApps', i, 'name'], message: `duplicate of otherApps[${at}].name` });
      else appNames.set(app.name, i);
      app.deviceIds?.forEach((id, j) => {
        if (!ids.has(id))
          ctx.addIssue({
            code: 'custom',
            path: ['otherApps', i, 'deviceIds', j],
            message: `expected the id of a device in "devices", got "${id}"`,
          });
      });
      if (app.untilMs !== undefined && app.untilMs <= app.fromMs)
        ctx.addIssue({ code: 'custom', path: ['otherApps', i, 'untilMs'], message: 'expected untilMs greater than fromMs' });
    });
    const names = new Map<string, number>();
    fleet.library.forEach((f, i) => {
      const at = names.get(f.fileName.toLowerCase());
      if (at !== undefined)
        ctx.addIssue({ code: 'custom', path: ['library', i, 'fileName'], message: `duplicate of library[${at}].fileName` });
      else names.set(f.fileName.toLowerCase(), i);
    });
  });

export type Fleet = z.output<typeof fleetSchema>;
export type FleetInput = z.input<typeof fleetSchema>;
