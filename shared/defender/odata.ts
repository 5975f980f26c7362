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
  if (query.osPlatform) clauses.push(`osPlatform eq ${quote(query.osPlatform)}`);
  return toQueryString(clauses, query.top);
}

function toQueryString(clauses: string[], top?: number): string {
  const params = new URLSearchParams();
  if (clauses.length > 0) params.set('$filter', clauses.join(' and '));
  if (top !== undefined) params.set('$top', String(top));
  const text = params.toString();
  return text ? `?${text}` : '';
}
