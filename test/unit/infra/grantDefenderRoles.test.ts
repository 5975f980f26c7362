import { describe, expect, it } from 'vitest';
import {
  alertWriteWanted,
  DEFENDER_APP_ID,
  grantDefenderRoles,
  onlyRoles,
  wantedRoles,
  type AppRoleAssignment,
  type GraphPort,
  type ResourceServicePrincipal,
} from '../../../scripts/defenderRoles/plan.js';

const IDENTITY = '11111111-1111-1111-1111-111111111111';
const MDE_SP = '22222222-2222-2222-2222-222222222222';
const ROLE_VALUES = [
  'Machine.LiveResponse',
  'Machine.Read.All',
  'Machine.ReadWrite.All',
  'Alert.Read.All',
  'Alert.ReadWrite.All',
  'Library.Manage',
];

/** Graph with the WindowsDefenderATP service principal (role ids made up: the real ones are looked up at run time). */
class FakeGraph implements GraphPort {
  readonly assignments: AppRoleAssignment[] = [];
  readonly posted: AppRoleAssignment[] = [];
  /** `null`: the tenant has no such service principal. */
  constructor(private readonly resource: ResourceServicePrincipal | null = defenderSp()) {}
  servicePrincipalByAppId(appId: string): Promise<ResourceServicePrincipal | undefined> {
    return Promise.resolve(appId === DEFENDER_APP_ID ? (this.resource ?? undefined) : undefined);
  }
  assignmentsOf(principalId: string): Promise<AppRoleAssignment[]> {
    return Promise.resolve(this.assignments.filter((a) => a.principalId === principalId));
  }
  assign(assignment: AppRoleAssignment): Promise<void> {
    this.posted.push(assignment);
    this.assignments.push(assignment);
    return Promise.resolve();
  }
}

function defenderSp(values: readonly string[] = ROLE_VALUES): ResourceServicePrincipal {
  return {
    id: MDE_SP,
    appRoles: values.map((value, i) => ({ id: `role-${i}-${value}`, value, allowedMemberTypes: ['Application'], isEnabled: true })),
  };
}

const roleId = (value: string): string => defenderSp().appRoles.find((r) => r.value === value)?.id ?? '';
const base = { machineRole: 'Machine.Read.All', alertWrite: false, library: false } as const;

describe('granting the WindowsDefenderATP roles (scripts/grant-defender-roles.ts)', () => {
  it('assigns Live Response, machine read and alert read to the identity on the Defender service principal', async () => {
    const graph = new FakeGraph();

    await grantDefenderRoles(graph, { principalId: IDENTITY, wanted: wantedRoles(base), dryRun: false }, () => {});

    expect(graph.posted).toEqual(
      ['Machine.LiveResponse', 'Alert.Read.All', 'Machine.Read.All'].map((v) => ({
        principalId: IDENTITY,
        resourceId: MDE_SP,
        appRoleId: roleId(v),
      })),
    );
  });

  it.each([
    [undefined, {}, false],
    [undefined, { RESPONDER_NOTIFY_DEFENDER_ALERT_COMMENTS: 'false' }, false],
    [undefined, { RESPONDER_NOTIFY_DEFENDER_ALERT_COMMENTS: 'true' }, true],
    [true, {}, true],
  ])('grants Alert.ReadWrite.All only when write-back is on (flag %s, azd environment %j)', (flag, env, wanted) => {
    expect(alertWriteWanted(flag, env)).toBe(wanted);
  });

  it('adds alert write-back, library sync or the broader machine role only when asked', () => {
    expect(wantedRoles({ machineRole: 'Machine.ReadWrite.All', alertWrite: true, library: true })).toEqual([
      'Machine.LiveResponse',
      'Alert.Read.All',
      'Machine.ReadWrite.All',
      'Alert.ReadWrite.All',
      'Library.Manage',
    ]);
  });

  it('prints what it would grant in a dry run and grants nothing', async () => {
    const graph = new FakeGraph();
    const lines: string[] = [];

    const plan = await grantDefenderRoles(graph, { principalId: IDENTITY, wanted: wantedRoles(base), dryRun: true }, (l) => lines.push(l));

    expect(graph.posted).toEqual([]);
    expect(plan.grant.map((g) => g.value)).toEqual(['Machine.LiveResponse', 'Alert.Read.All', 'Machine.Read.All']);
    expect(lines.filter((l) => l.startsWith('would grant'))).toHaveLength(3);
  });

  it('skips the roles already held, so a re-run assigns nothing', async () => {
    const graph = new FakeGraph();
    graph.assignments.push({ principalId: IDENTITY, resourceId: MDE_SP, appRoleId: roleId('Machine.LiveResponse') });
    // The same role id on another resource does not count as held.
    graph.assignments.push({ principalId: IDENTITY, resourceId: 'another-resource', appRoleId: roleId('Alert.Read.All') });

    await grantDefenderRoles(graph, { principalId: IDENTITY, wanted: wantedRoles(base), dryRun: false }, () => {});
    const rerun = await grantDefenderRoles(graph, { principalId: IDENTITY, wanted: wantedRoles(base), dryRun: false }, () => {});

    expect(graph.posted.map((a) => a.appRoleId)).toEqual([roleId('Alert.Read.All'), roleId('Machine.Read.All')]);
    expect(rerun.grant).toEqual([]);
    expect(rerun.held).toEqual(['Machine.LiveResponse', 'Alert.Read.All', 'Machine.Read.All']);
  });

  it('grants nothing when the service principal lacks a wanted application role', async () => {
    const graph = new FakeGraph(defenderSp(['Machine.LiveResponse', 'Machine.Read.All']));

    await expect(grantDefenderRoles(graph, { principalId: IDENTITY, wanted: wantedRoles(base), dryRun: false }, () => {})).rejects.toThrow(
      /no application role Alert\.Read\.All: nothing granted/,
    );
    expect(graph.posted).toEqual([]);
  });

  it('says Defender for Endpoint is not provisioned when the tenant has no WindowsDefenderATP service principal', async () => {
    const graph = new FakeGraph(null);

    await expect(grantDefenderRoles(graph, { principalId: IDENTITY, wanted: wantedRoles(base), dryRun: true }, () => {})).rejects.toThrow(
      /must be provisioned/,
    );
  });

  it('grants exactly the --only roles to another identity (the Sentinel playbook: Alert.Read.All), and refuses unknown ones', async () => {
    const graph = new FakeGraph();

    await grantDefenderRoles(graph, { principalId: IDENTITY, wanted: onlyRoles('Alert.Read.All'), dryRun: false }, () => {});

    expect(graph.posted).toEqual([{ principalId: IDENTITY, resourceId: MDE_SP, appRoleId: roleId('Alert.Read.All') }]);
    expect(onlyRoles(' Library.Manage, Library.Manage ')).toEqual(['Library.Manage']);
    expect(() => onlyRoles('Alert.Read.All,Machine.Isolate')).toThrow(/unknown role Machine\.Isolate/);
    expect(() => onlyRoles(' , ')).toThrow(/one or more roles/);
  });
});
