import { z } from 'zod';

/**
 * Where the reference is silent, the simulator can answer kindly or strictly.
 * Each such choice is a named setting with a lenient and a strict value; a
 * profile picks all of them at once and a setting given on its own overrides
 * its profile's value. The lenient profile is the simulator's historical
 * behaviour; the strict one is as strict as Defender can plausibly be, so a
 * client that passes under it does not depend on the simulator's kindness.
 * README.md ("Strictness") gives each choice's reason and source.
 */
export const PROFILES = ['lenient', 'strict'] as const;
export type Profile = (typeof PROFILES)[number];

export const RETRY_AFTER_FORMS = ['exact', 'coarse', 'absent'] as const;
export type RetryAfterForm = (typeof RETRY_AFTER_FORMS)[number];

export const RATE_BUCKETS = ['perEndpoint', 'shared'] as const;
export type RateBuckets = (typeof RATE_BUCKETS)[number];

export const QUOTA_SCOPES = ['app', 'tenant'] as const;
export type QuotaScope = (typeof QUOTA_SCOPES)[number];

export const VALUE_FORMATS = ['simulator', 'defender'] as const;
export type ValueFormats = (typeof VALUE_FORMATS)[number];

const nonNegativeInt = z.number().int().nonnegative();

/** The strictness settings as the fleet file and `startSimulator` take them: each optional, unset means "the profile's value". */
export const strictnessSettingsSchema = {
  /** Which value every strictness setting left unset takes. */
  profile: z.enum(PROFILES).default('lenient'),
  /** A call answered 429 uses quota like an admitted one. */
  refusedCallsCount: z.boolean().optional(),
  /** A rate-limit 429's Retry-After: exact seconds, rounded up to the window's end, or no header. */
  retryAfter: z.enum(RETRY_AFTER_FORMS).optional(),
  /** The 100/min + 1,500/h class: one bucket per endpoint, or one shared by every endpoint of the class. */
  rateBuckets: z.enum(RATE_BUCKETS).optional(),
  /** Sessions and the 10 runliveresponse calls a minute: per app of a tenant, or shared by every app of the tenant. */
  quotaScope: z.enum(QUOTA_SCOPES).optional(),
  /** A new action appears in lists and GET by id this long after its creation (0: at once). */
  listLagMs: nonNegativeInt.optional(),
  /** Lists answer at most this many entities per page with an `@odata.nextLink` (0: no server-driven paging). */
  pageSize: nonNegativeInt.optional(),
  /** `$filter` takes only the documented operators and exact property names. */
  strictOData: z.boolean().optional(),
  /** Timestamps, requestor, transcript paths and result links formatted as the simulator always did, or as Defender formats them. */
  valueFormats: z.enum(VALUE_FORMATS).optional(),
};

export interface Strictness {
  readonly refusedCallsCount: boolean;
  readonly retryAfter: RetryAfterForm;
  readonly rateBuckets: RateBuckets;
  readonly quotaScope: QuotaScope;
  readonly listLagMs: number;
  readonly pageSize: number;
  readonly strictOData: boolean;
  readonly valueFormats: ValueFormats;
}
export type StrictnessName = keyof Strictness;

/** Each choice's value in each profile. */
export const STRICTNESS: { readonly [P in Profile]: Strictness } = {
  lenient: {
    refusedCallsCount: false,
    retryAfter: 'exact',
    rateBuckets: 'perEndpoint',
    quotaScope: 'app',
    listLagMs: 0,
    pageSize: 0,
    strictOData: false,
    valueFormats: 'simulator',
  },
  strict: {
    refusedCallsCount: true,
    retryAfter: 'coarse',
    rateBuckets: 'shared',
    quotaScope: 'tenant',
    listLagMs: 5_000,
    pageSize: 10,
    strictOData: true,
    valueFormats: 'defender',
  },
};

export const STRICTNESS_NAMES = Object.keys(STRICTNESS.lenient) as StrictnessName[];

type StrictnessSettings = { readonly profile: Profile } & { readonly [K in StrictnessName]?: Strictness[K] | undefined };

/** The choices in force: each setting given on its own, else its profile's value. */
export function resolveStrictness(settings: StrictnessSettings): Strictness {
  const base = STRICTNESS[settings.profile];
  return {
    refusedCallsCount: settings.refusedCallsCount ?? base.refusedCallsCount,
    retryAfter: settings.retryAfter ?? base.retryAfter,
    rateBuckets: settings.rateBuckets ?? base.rateBuckets,
    quotaScope: settings.quotaScope ?? base.quotaScope,
    listLagMs: settings.listLagMs ?? base.listLagMs,
    pageSize: settings.pageSize ?? base.pageSize,
    strictOData: settings.strictOData ?? base.strictOData,
    valueFormats: settings.valueFormats ?? base.valueFormats,
  };
}
