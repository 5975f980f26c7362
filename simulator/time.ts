/**
 * Timestamps as MDE writes them: ISO-8601 UTC with 7 fractional digits
 * (`2021-02-04T15:36:52.7788848Z`, mde-api.md 1.3). The simulator's clock has
 * millisecond resolution, so the last four digits are always zero.
 */
export function isoUtc7(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}0000Z`;
}

export const isoUtc7OrNull = (ms: number | undefined): string | null => (ms === undefined ? null : isoUtc7(ms));

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Matches an OData date/date-time literal (what the filter tokenizer looks for). */
export const DATE_TIME_PREFIX = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?(?:Z|[+-]\d{2}:\d{2})?/;

/**
 * Parses an ISO date or date-time into 100-ns ticks since the Unix epoch
 * (bigint, so 7 fractional digits compare exactly). No zone means UTC.
 */
export function parseIsoTicks(text: string): bigint | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const baseMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  if (!Number.isFinite(baseMs)) return undefined;
  let offsetMin = 0;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const fracTicks = BigInt((frac ?? '').padEnd(7, '0'));
  return BigInt(baseMs - offsetMin * 60_000) * 10_000n + fracTicks;
}

export const msToTicks = (ms: number): bigint => BigInt(Math.trunc(ms)) * 10_000n;
