import { z } from 'zod';
import type { AuthSettings } from '../auth/authenticate.js';
import { isRole, ROLE_NAMES } from '../auth/roles.js';
import type { SettingProblem } from '../errors.js';
import { int, type SettingsOf } from './values.js';

/** The operator API: how callers are verified, and the bounds of its reads. */
export const operatorSettings = {
  /** `appservice`: trust X-MS-CLIENT-PRINCIPAL only when App Service Authentication is on; `development`: one fixed principal (local only). */
  OPERATOR_AUTH: z.enum(['appservice', 'development']).default('appservice'),
  /** Set by App Service when its authentication is enabled for the app (`True`); never set it by hand. */
  WEBSITE_AUTH_ENABLED: z.string().optional(),
  /** Set by App Service on every instance: the app runs in Azure. */
  WEBSITE_INSTANCE_ID: z.string().optional(),
  /** The development principal's name and roles (OPERATOR_AUTH=development). */
  DEV_PRINCIPAL_NAME: z.string().min(1).max(200).default('developer@localhost'),
  DEV_PRINCIPAL_ROLES: z
    .string()
    .refine((v) => v.split(',').every((r) => isRole(r.trim())), `a comma-separated list of ${ROLE_NAMES.join(', ')}`)
    .default(ROLE_NAMES.join(',')),
  /** GET /api/runs: runs one request reads at most while it applies the filters the store cannot (status, playbook, device, trigger). */
  RUNS_LIST_SCAN_MAX: int(1).max(10_000).default(1_000),
  /** GET /api/health: how long each check (storage, bus, Defender token) may take before it is reported failing. */
  HEALTH_CHECK_TIMEOUT_MS: int(100).max(60_000).default(5_000),
  /** GET /api/status: how long each part (the pacing record, each queue's look) may take before it is reported unavailable. */
  STATUS_PROBE_TIMEOUT_MS: int(100).max(60_000).default(5_000),
  /** GET /api/status on Service Bus: messages peeked at most per queue, poison queue and dead-letter queue (counts past it read "at least"). */
  STATUS_PEEK_MAX: int(1).max(5_000).default(100),
  /** GET /api/status: how long one look at a queue is shared by every caller (each console on the pacing page polls); 0: every call looks. */
  STATUS_QUEUE_LOOK_CACHE_MS: int(0).max(300_000).default(10_000),
  /** GET /api/status and the owed-notifications gauge: owed notifications counted at most per look (past it, "at least"). */
  STATUS_OWED_COUNT_MAX: int(1).max(10_000).default(1_000),
};

/** The operator API's reads: the runs list's scan bound, the health checks' and status parts' time-outs (wall clock). */
export interface OperatorApiConfig {
  runsListScanMax: number;
  healthCheckTimeoutMs: number;
  statusProbeTimeoutMs: number;
  statusPeekMax: number;
  statusQueueLookCacheMs: number;
  statusOwedCountMax: number;
}

type OperatorSettings = SettingsOf<typeof operatorSettings>;

export function operatorApiConfig(s: OperatorSettings): OperatorApiConfig {
  return {
    runsListScanMax: s.RUNS_LIST_SCAN_MAX,
    healthCheckTimeoutMs: s.HEALTH_CHECK_TIMEOUT_MS,
    statusProbeTimeoutMs: s.STATUS_PROBE_TIMEOUT_MS,
    statusPeekMax: s.STATUS_PEEK_MAX,
    statusQueueLookCacheMs: s.STATUS_QUEUE_LOOK_CACHE_MS,
    statusOwedCountMax: s.STATUS_OWED_COUNT_MAX,
  };
}

export function authConfig(s: OperatorSettings): AuthSettings {
  if (s.OPERATOR_AUTH === 'appservice') return { mode: 'appservice', platformAuthEnabled: /^true$/i.test(s.WEBSITE_AUTH_ENABLED ?? '') };
  const roles = s.DEV_PRINCIPAL_ROLES.split(',')
    .map((r) => r.trim())
    .filter(isRole);
  return {
    mode: 'development',
    principal: { objectId: '00000000-0000-0000-0000-00000000dev0', name: s.DEV_PRINCIPAL_NAME, kind: 'user', roles: [...new Set(roles)] },
  };
}

/** The development principal never signs in in Azure. */
export function operatorRules(s: OperatorSettings): SettingProblem[] {
  if (s.OPERATOR_AUTH !== 'development' || !s.WEBSITE_INSTANCE_ID) return [];
  return [{ setting: 'OPERATOR_AUTH', message: 'development sign-in is refused in Azure (WEBSITE_INSTANCE_ID is set): use appservice' }];
}
