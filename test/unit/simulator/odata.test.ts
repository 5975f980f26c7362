import { describe, expect, it } from 'vitest';
import { compileFilter, ODataFilterError, type FilterSchema } from '../../../simulator/odata.js';

const schema: FilterSchema = {
  id: 'string',
  status: 'string',
  machineId: 'string',
  creationDateTimeUtc: 'datetime',
  incidentId: 'number',
  machineTags: 'stringArray',
  computerDnsName: 'string',
};

const entity = {
  id: '8a3e0f52-1111-4c2b-9d0e-123456789abc',
  status: 'Pending',
  machineId: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
  creationDateTimeUtc: '2021-02-04T15:36:52.7788848Z',
  incidentId: 1201,
  machineTags: ['Workstations', 'Finance'],
  computerDnsName: 'ws-finance-07.contoso.local',
};

describe('OData $filter compiler', () => {
  it.each([
    ["status eq 'Pending'", true],
    ["status eq 'pending'", true],
    ["status ne 'Pending'", false],
    ["Status eq 'Pending'", true],
    ["id in ('x','8a3e0f52-1111-4c2b-9d0e-123456789abc')", true],
    ["id in ('x', 'y')", false],
    ["machineId eq '1e5bc9d7e413ddd7902c2932e418702b84d0cc07' and status eq 'Pending'", true],
    ["status eq 'Failed' or status eq 'Pending'", true],
    ["not (status eq 'Pending')", false],
    ['creationDateTimeUtc gt 2021-02-04T15:36:52Z', true],
    ['creationDateTimeUtc gt 2021-02-04T15:36:52.7788848Z', false],
    ['creationDateTimeUtc ge 2021-02-04T15:36:52.7788848Z', true],
    ['creationDateTimeUtc lt 2021-02-05Z', true],
    ["creationDateTimeUtc le '2021-02-04T15:36:52.7788847Z'", false],
    ['creationDateTimeUtc eq 2021-02-04T16:36:52.7788848+01:00', true],
    ['incidentId eq 1201', true],
    ['incidentId gt 1300', false],
    ["machineTags/any(t: t eq 'Finance')", true],
    ["machineTags/any(tag: tag eq 'finance')", true],
    ["machineTags/any(t: t eq 'Servers')", false],
    ["startswith(computerDnsName,'ws-')", true],
    ["startswith(computerDnsName, 'srv')", false],
    ["contains(computerDnsName,'finance')", true],
    ["endswith(computerDnsName,'.local')", true],
    ["status eq 'it''s'", false],
    ['status ne null', true],
  ])('%s → %s', (filter, expected) => {
    // Prepare
    const predicate = compileFilter(filter, schema);
    // Act
    const result = predicate(entity);
    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    ['lastUpdateDateTimeUtc gt 2021-01-01Z', /not supported/],
    ['status eq Pending', /literal|Expected/],
    ["status eq 'Pending", /Unterminated/],
    ["status eq 'Pending' and", /end of/],
    ["incidentId eq '1201'", /number/],
    ["machineTags eq 'Finance'", /collection/],
    ["creationDateTimeUtc gt 'yesterday'", /date-time/],
    ["status xx 'Pending'", /comparison operator/],
    ["status eq 'a' status eq 'b'", /Unexpected token/],
    ['', /empty/],
    ["status eq 'a' ; drop", /unexpected/],
  ])('rejects %s', (filter, message) => {
    // Act
    const compile = () => compileFilter(filter, schema);
    // Assess
    expect(compile).toThrow(ODataFilterError);
    expect(compile).toThrow(message);
  });
});
