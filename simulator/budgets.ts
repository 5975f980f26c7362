import { HOUR_MS, MINUTE_MS } from '../shared/clock.js';
import type { EndpointKey } from './endpoints.js';
import type { WindowLimit } from './rateLimits.js';
import type { SimulatorSettings } from './settings.js';
import type { Strictness } from './strictness.js';

/**
 * Which rate-limit bucket a call uses and what its limits are (mde-api.md
 * 1.2; choices 25 and 26). runliveresponse has 10 calls a minute, per app of
 * a tenant or (`quotaScope: tenant`) shared by every app of the tenant;
 * alerts/batchUpdate has 10 a minute and 500 an hour per app; every other
 * endpoint 100 a minute and 1,500 an hour per app, each endpoint on its own
 * or (`rateBuckets: shared`) one bucket for all of them.
 */
export type BudgetClass = 'liveResponse' | 'alertBatch' | 'standard';

/** The application and tenant a call is made for (a token's `appid` and `tid`, or another app of the fleet). */
export interface QuotaOwner {
  readonly appId: string;
  readonly tenantId: string;
}

export interface Budget {
  readonly key: string;
  readonly limits: readonly WindowLimit[];
}

/** Whose sessions and runliveresponse calls an owner's count against (choice 26). */
export function quotaKey(owner: QuotaOwner, scope: Strictness['quotaScope']): string {
  return scope === 'tenant' ? `*|${owner.tenantId}` : `${owner.appId}|${owner.tenantId}`;
}

export function budgetFor(
  budgetClass: BudgetClass,
  endpoint: EndpointKey,
  owner: QuotaOwner,
  settings: SimulatorSettings,
  strictness: Pick<Strictness, 'quotaScope' | 'rateBuckets'>,
): Budget {
  const app = `${owner.appId}|${owner.tenantId}`;
  switch (budgetClass) {
    case 'liveResponse':
      return {
        key: `${quotaKey(owner, strictness.quotaScope)}|${endpoint}`,
        limits: [{ windowMs: MINUTE_MS, max: settings.liveResponseCallsPerMinute }],
      };
    case 'alertBatch':
      return {
        key: `${app}|${endpoint}`,
        limits: [
          { windowMs: MINUTE_MS, max: settings.batchUpdateAlertsCallsPerMinute },
          { windowMs: HOUR_MS, max: settings.batchUpdateAlertsCallsPerHour },
        ],
      };
    case 'standard':
      return {
        key: `${app}|${strictness.rateBuckets === 'shared' ? 'standard' : endpoint}`,
        limits: [
          { windowMs: MINUTE_MS, max: settings.callsPerMinute },
          { windowMs: HOUR_MS, max: settings.callsPerHour },
        ],
      };
  }
}
