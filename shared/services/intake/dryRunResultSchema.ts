import { z } from 'zod';
import { ALERT_SHAPES, DEVICE_OS, SEVERITIES } from '../../alerts/alert.js';
import { liveResponseCommandSchema } from '../../defender/types.js';

const issueSchema = z.object({ path: z.string(), message: z.string() });

/** One playbook rendered for one device (an alert's) or a device list (manual): the exact commands, refusals and why. */
export const dryRunPlanSchema = z.object({
  trigger: z.enum(['alert', 'manual']),
  alertId: z.string().optional(),
  deviceId: z.string().optional(),
  playbook: z.object({ name: z.string(), version: z.string(), contentSha256: z.string(), file: z.string() }).optional(),
  /** Whether this playbook is the one that would answer (alerts only). */
  wouldAnswer: z.boolean(),
  /** Why each playbook does (empty) or does not answer. */
  reasons: z.record(z.string(), z.array(z.string())),
  runId: z.string().optional(),
  devices: z.array(
    z.object({
      deviceId: z.string(),
      deviceName: z.string().optional(),
      commands: z.array(liveResponseCommandSchema),
      deadlineMs: z.number().optional(),
    }),
  ),
  refused: z.array(z.object({ deviceId: z.string(), reason: z.string() })),
});
export type DryRunPlan = z.infer<typeof dryRunPlanSchema>;

/** What POST /api/dryrun answers: the alerts as read, the ones refused, and a plan per device. */
export const dryRunResultSchema = z.object({
  note: z.string(),
  alerts: z.array(
    z.object({
      id: z.string(),
      source: z.enum(ALERT_SHAPES),
      title: z.string(),
      severity: z.enum(SEVERITIES),
      category: z.string().optional(),
      detectionSource: z.string().optional(),
      serviceSource: z.string().optional(),
      mitreTechniques: z.array(z.string()),
      devices: z.array(
        z.object({
          id: z.string(),
          name: z.string().optional(),
          osPlatform: z.string().optional(),
          os: z.enum(DEVICE_OS).optional(),
          tags: z.array(z.string()).optional(),
          rbacGroupName: z.string().optional(),
        }),
      ),
      problems: z.array(z.string()).optional(),
    }),
  ),
  rejectedAlerts: z.array(z.object({ alertId: z.string().optional(), issues: z.array(issueSchema) })),
  plans: z.array(dryRunPlanSchema),
});
export type DryRunResult = z.infer<typeof dryRunResultSchema>;
