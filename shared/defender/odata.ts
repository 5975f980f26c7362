import type { MachineActionQuery, MachineQuery } from './port.js';

/** Builds OData `$filter` expressions from typed queries; literals are quoted and escaped. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function machineActionsQueryString(query: MachineActionQuery): string {
  const clauses: string[] = [];
  if (query.ids && query.ids.length > 0) {
    clauses.push(query.ids.length === 1 ? `id eq ${quote(query.ids[0] ?? '')}` : `id in (${query.ids.map(quote).join(',')})`);
  }
  if (query.machineId) clauses.push(`machineId eq ${quote(query.machineId)}`);
  if (query.type) clauses.push(`type eq ${quote(query.type)}`);
  if (query.status) clauses.push(`status eq ${quote(query.status)}`);
  if (query.createdAfterMs !== undefined) clauses.push(`creationDateTimeUtc ge ${new Date(query.createdAfterMs).toISOString()}`);
  return toQueryString(clauses, query.top);
}

/**
 * GET /api/machines query strings for a query, using only the documented
 * operators (`eq`, `and`, `startswith`, `machineTags/any`; mde-api.md 6.1):
 * several tags or platforms ("any of") become one query per combination,
 * which the caller merges, since `or` is not documented.
 */
export function machinesQueryStrings(query: MachineQuery = {}): string[] {
  const fixed: string[] = [];
  if (query.tag) fixed.push(hasTag(query.tag));
  if (query.osPlatform) fixed.push(`osPlatform eq ${quote(query.osPlatform)}`);
  if (query.namePrefix) fixed.push(`startswith(computerDnsName,${quote(query.namePrefix)})`);
  return anyOf(query.tags).flatMap((tag) =>
    anyOf(query.osPlatforms).map((osPlatform) => {
      const clauses = [...fixed];
      if (tag !== undefined) clauses.push(hasTag(tag));
      if (osPlatform !== undefined) clauses.push(`osPlatform eq ${quote(osPlatform)}`);
      return toQueryString(clauses, query.top);
    }),
  );
}

const hasTag = (tag: string): string => `machineTags/any(tag: tag eq ${quote(tag)})`;

/** The values of an "any of" list, or one `undefined` (no condition) when it is absent or empty. */
const anyOf = (values: readonly string[] | undefined): (string | undefined)[] => (values && values.length > 0 ? [...values] : [undefined]);

/** GET /api/alerts: updated after an instant, with evidence, one page. */
export function alertsQueryString(query: { updatedAfterMs: number; top: number; skip: number }): string {
  const params = new URLSearchParams();
  params.set('$filter', `lastUpdateTime gt ${new Date(query.updatedAfterMs).toISOString()}`);
  params.set('$expand', 'evidence');
  params.set('$top', String(query.top));
  if (query.skip > 0) params.set('$skip', String(query.skip));
  return `?${params.toString()}`;
}

function toQueryString(clauses: string[], top?: number): string {
  const params = new URLSearchParams();
  if (clauses.length > 0) params.set('$filter', clauses.join(' and '));
  if (top !== undefined) params.set('$top', String(top));
  const text = params.toString();
  return text ? `?${text}` : '';
}
