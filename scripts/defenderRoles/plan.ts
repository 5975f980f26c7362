/**
 * Which WindowsDefenderATP app roles the responder's identity needs, which it
 * holds, and the Graph app role assignments that close the gap. Pure apart
 * from the Graph port, so the planning is tested with a fake Graph
 * (test/unit/infra/grantDefenderRoles.test.ts); the script that calls
 * Microsoft Graph is scripts/grant-defender-roles.ts.
 */

/** The WindowsDefenderATP (Microsoft Defender for Endpoint API) application. */
export const DEFENDER_APP_ID = 'fc780465-2017-40d4-a0c5-307022471b92';

/** Start Live Response, and list alerts for the alert poller. */
export const BASE_ROLES = ['Machine.LiveResponse', 'Alert.Read.All'] as const;

/**
 * Reading machines, machine actions and the result download link. The docs
 * disagree (infra/README.md): older revisions accept Machine.Read.All, the
 * current download-link page names only Machine.ReadWrite.All.
 */
export const MACHINE_ROLES = ['Machine.Read.All', 'Machine.ReadWrite.All'] as const;
export type MachineRole = (typeof MACHINE_ROLES)[number];

export interface RoleChoice {
  machineRole: MachineRole;
  /** Alert write-back is on. */
  alertWrite: boolean;
  /** This identity runs library sync. */
  library: boolean;
}

/** The role values to hold, in a stable order. */
export function wantedRoles(choice: RoleChoice): string[] {
  return [
    ...BASE_ROLES,
    choice.machineRole,
    ...(choice.alertWrite ? ['Alert.ReadWrite.All'] : []),
    ...(choice.library ? ['Library.Manage'] : []),
  ];
}

/** Every role this script grants, by value. */
export const KNOWN_ROLES: readonly string[] = [...BASE_ROLES, ...MACHINE_ROLES, 'Alert.ReadWrite.All', 'Library.Manage'];

/**
 * `--only A,B`: exactly these roles, for an identity other than the app's
 * (the Sentinel playbook's: Alert.Read.All; library sync's: Library.Manage).
 * An empty list or a role this script does not know is refused.
 */
export function onlyRoles(text: string): string[] {
  const roles = [...new Set(text.split(',').map((r) => r.trim()))].filter((r) => r !== '');
  if (roles.length === 0) throw new Error('--only: expected one or more roles separated by commas');
  const unknown = roles.filter((r) => !KNOWN_ROLES.includes(r));
  if (unknown.length > 0) throw new Error(`--only: unknown role ${unknown.join(', ')} (known: ${KNOWN_ROLES.join(', ')})`);
  return roles;
}

/** The azd output (main.bicep) saying the deployment turned the Defender alert comment on. */
export const ALERT_COMMENTS_OUTPUT = 'RESPONDER_NOTIFY_DEFENDER_ALERT_COMMENTS';

/**
 * Whether to grant Alert.ReadWrite.All: asked for (`--alert-write`), or the
 * deployment turned alert comments on (NOTIFY_DEFENDER_ALERT_COMMENTS, output
 * as RESPONDER_NOTIFY_DEFENDER_ALERT_COMMENTS, which azd hands its hooks).
 */
export function alertWriteWanted(flag: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  return flag === true || /^(true|1)$/i.test(env[ALERT_COMMENTS_OUTPUT]?.trim() ?? '');
}

export interface AppRole {
  id: string;
  value: string | null;
  allowedMemberTypes: string[];
  isEnabled: boolean;
}

export interface ResourceServicePrincipal {
  /** Object id of the resource service principal. */
  id: string;
  appRoles: AppRole[];
}

export interface AppRoleAssignment {
  principalId: string;
  resourceId: string;
  appRoleId: string;
}

/** What the script needs of Microsoft Graph. */
export interface GraphPort {
  servicePrincipalByAppId(appId: string): Promise<ResourceServicePrincipal | undefined>;
  /** Every app role assignment the principal holds (on any resource). */
  assignmentsOf(principalId: string): Promise<AppRoleAssignment[]>;
  assign(assignment: AppRoleAssignment): Promise<void>;
}

export interface GrantPlan {
  principalId: string;
  resourceId: string;
  /** Roles to assign, with the role's id on the resource. */
  grant: { value: string; appRoleId: string }[];
  /** Roles the principal already holds. */
  held: string[];
  /** Roles the resource does not offer to applications (nothing is granted while any is listed). */
  unknown: string[];
}

export function planGrants(
  resource: ResourceServicePrincipal,
  existing: readonly AppRoleAssignment[],
  principalId: string,
  wanted: readonly string[],
): GrantPlan {
  const heldIds = new Set(existing.filter((a) => a.resourceId === resource.id && a.principalId === principalId).map((a) => a.appRoleId));
  const plan: GrantPlan = { principalId, resourceId: resource.id, grant: [], held: [], unknown: [] };
  for (const value of wanted) {
    const role = resource.appRoles.find((r) => r.value === value && r.isEnabled && r.allowedMemberTypes.includes('Application'));
    if (!role) plan.unknown.push(value);
    else if (heldIds.has(role.id)) plan.held.push(value);
    else plan.grant.push({ value, appRoleId: role.id });
  }
  return plan;
}

export class GrantError extends Error {
  override readonly name = 'GrantError';
}

/**
 * Looks the resource and the principal's assignments up, plans, and (unless
 * `dryRun`) assigns what is missing. Idempotent: a re-run finds the roles
 * held and assigns nothing. Lines of the report go to `log`.
 */
export async function grantDefenderRoles(
  graph: GraphPort,
  options: { principalId: string; wanted: readonly string[]; dryRun: boolean; appId?: string },
  log: (line: string) => void,
): Promise<GrantPlan> {
  const appId = options.appId ?? DEFENDER_APP_ID;
  const resource = await graph.servicePrincipalByAppId(appId);
  if (!resource) {
    throw new GrantError(
      `no service principal with appId ${appId} in this tenant: Defender for Endpoint must be provisioned (open the Defender portal once) before its roles can be granted`,
    );
  }
  const plan = planGrants(resource, await graph.assignmentsOf(options.principalId), options.principalId, options.wanted);
  if (plan.unknown.length > 0) {
    throw new GrantError(`the WindowsDefenderATP service principal offers no application role ${plan.unknown.join(', ')}: nothing granted`);
  }
  for (const value of plan.held) log(`held     ${value}`);
  for (const { value } of plan.grant) log(`${options.dryRun ? 'would grant' : 'grant   '} ${value}`);
  if (options.dryRun) return plan;
  for (const { value, appRoleId } of plan.grant) {
    await graph.assign({ principalId: plan.principalId, resourceId: plan.resourceId, appRoleId });
    log(`granted  ${value}`);
  }
  return plan;
}
