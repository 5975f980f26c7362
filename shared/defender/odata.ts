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

export function machinesQueryString(query: MachineQuery = {}): string {
  const clauses: string[] = [];
  if (query.tag) clauses.push(`machineTags/any(tag: tag eq ${quote(query.tag)})`);
  if (query.tags && query.tags.length > 0) clauses.push(anyOf(query.tags.map((t) => `machineTags/any(tag: tag eq ${quote(t)})`)));
  if (query.osPlatform) clauses.push(`osPlatform eq ${quote(query.osPlatform)}`);
  if (query.osPlatforms && query.osPlatforms.length > 0) clauses.push(anyOf(query.osPlatforms.map((o) => `osPlatform eq ${quote(o)}`)));
  if (query.namePrefix) clauses.push(`startswith(computerDnsName,${quote(query.namePrefix)})`);
  return toQueryString(clauses, query.top);
}

function anyOf(clauses: string[]): string {
  return clauses.length === 1 ? (clauses[0] ?? '') : `(${clauses.join(' or ')})`;
}

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
