/**
 * GET /api/devices: devices picked by name or tag from the cached device
 * directory (what the refresh timer stored), a page at a time. The request
 * path reads the store only: no Defender call, whatever is searched.
 */
import { z } from 'zod';
import { cachedDeviceSchema, type CachedDevice } from '../../devices/directoryStore.js';
import { fail, ok, type Issue, type Result } from '../../result.js';
import { toIssues } from '../../validation.js';
import type { DirectoryDeps } from './deps.js';

/** Devices one page holds at most. */
export const DEVICE_SEARCH_MAX_LIMIT = 100;

/** The query of GET /api/devices, as it arrives (every value a string). */
export const deviceSearchQuerySchema = z.strictObject({
  /** Part of the device's name, or the start of its id (case-insensitive). */
  search: z.string().trim().min(1).max(100).optional(),
  /** A tag the device carries (whole tag, case-insensitive). */
  tag: z.string().trim().min(1).max(200).optional(),
  /** Devices per page (default 25). */
  limit: z.coerce.number().int().min(1).max(DEVICE_SEARCH_MAX_LIMIT).default(25),
  /** From the previous page, with the same search and tag. */
  continuationToken: z
    .string()
    .regex(/^o[1-9][0-9]{0,6}$/, 'a continuationToken from the previous page')
    .optional(),
});

export const deviceSearchResultSchema = z.strictObject({
  /** Matching devices ordered by name, then id. */
  devices: z.array(cachedDeviceSchema),
  /** Present when more devices match: pass it back, with the same search and tag. */
  continuationToken: z.string().optional(),
  /** When the directory last listed every device (absent before its first refresh). */
  refreshedAt: z.string().optional(),
});
export type DeviceSearchResult = z.infer<typeof deviceSearchResultSchema>;

/**
 * The devices matching the query, ordered by name then id, one page. The
 * token is the position of the page's first device in that order: a device
 * added or removed by a refresh between two pages may shift one page by a
 * device.
 */
export async function searchDevices(deps: Pick<DirectoryDeps, 'devices'>, query: unknown): Promise<Result<DeviceSearchResult, Issue[]>> {
  const parsed = deviceSearchQuerySchema.safeParse(query);
  if (!parsed.success) return fail(toIssues(parsed.error));
  const { search, tag, limit, continuationToken } = parsed.data;
  const from = continuationToken === undefined ? 0 : Number(continuationToken.slice(1));
  const [all, state] = await Promise.all([deps.devices.listAll(), deps.devices.loadState()]);
  const matching = all.filter((device) => matches(device, search?.toLowerCase(), tag?.toLowerCase())).sort(byNameThenId);
  const page = matching.slice(from, from + limit);
  const refreshedMs = state?.value.refreshedMs;
  return ok({
    devices: page,
    ...(from + limit < matching.length ? { continuationToken: `o${from + limit}` } : {}),
    ...(refreshedMs === undefined ? {} : { refreshedAt: new Date(refreshedMs).toISOString() }),
  });
}

function matches(device: CachedDevice, search: string | undefined, tag: string | undefined): boolean {
  if (tag !== undefined && !device.tags.some((t) => t.toLowerCase() === tag)) return false;
  if (search === undefined) return true;
  return (device.name ?? '').toLowerCase().includes(search) || device.id.startsWith(search);
}

function byNameThenId(a: CachedDevice, b: CachedDevice): number {
  const byName = (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff');
  return byName !== 0 ? byName : a.id.localeCompare(b.id);
}
