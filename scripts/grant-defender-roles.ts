import { AzureCliCredential, AzureDeveloperCliCredential, ChainedTokenCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { parseArgs } from 'node:util';
import {
  alertWriteWanted,
  grantDefenderRoles,
  MACHINE_ROLES,
  onlyRoles,
  wantedRoles,
  type AppRoleAssignment,
  type GraphPort,
  type MachineRole,
  type ResourceServicePrincipal,
} from './defenderRoles/plan.js';

const HELP = `node dist/scripts/grant-defender-roles.js --principal-id ID [options]

Grants a managed identity (or any service principal) the WindowsDefenderATP
application roles the responder needs, as Microsoft Graph app role
assignments (there is no portal page for this). Lists what the principal
already holds first and assigns only what is missing, so a re-run changes
nothing. azd runs it after provisioning (azure.yaml, postprovision).

Roles: Machine.LiveResponse, Alert.Read.All, and the --machine-role;
Alert.ReadWrite.All with --alert-write (or when the deployment turned the
Defender alert comment on); Library.Manage with --library.

Options:
  --principal-id ID    object id of the identity's service principal
                       (azd output RESPONDER_IDENTITY_PRINCIPAL_ID)
  --machine-role ROLE  Machine.Read.All (default) or Machine.ReadWrite.All.
                       Reading machine actions and the result download link
                       needs one of them; the current Learn page for the
                       download link names only Machine.ReadWrite.All (older
                       revisions accept either). If collection fails with
                       403 on the download link, re-run with
                       Machine.ReadWrite.All.
  --alert-write        also Alert.ReadWrite.All (alert write-back); implied
                       when RESPONDER_NOTIFY_DEFENDER_ALERT_COMMENTS=true
                       (the azd output of notifyDefenderAlertComments)
  --library            also Library.Manage (for the identity that runs
                       npm run library:sync)
  --only ROLES         exactly these roles (comma-separated), for another
                       identity than the app's: the Sentinel playbook's
                       (Alert.Read.All; azd output
                       RESPONDER_SENTINEL_IDENTITY_PRINCIPAL_ID), or a
                       library-sync identity (Library.Manage). Not with
                       --machine-role, --alert-write or --library
  --dry-run            print what would be granted; grant nothing
  --help               this text

Signs in with the Azure Developer CLI's login (azd auth login), else the
Azure CLI's (az login). The signed-in user needs the Graph permissions
AppRoleAssignment.ReadWrite.All and Application.Read.All, in practice an
Entra role such as Privileged Role Administrator or Cloud Application
Administrator; Azure RBAC roles (Owner) do not cover Graph.
Exit status: 0 done (or would be), 2 on error.`;

const GRAPH = 'https://graph.microsoft.com/v1.0';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'principal-id': { type: 'string' },
      'machine-role': { type: 'string' },
      'alert-write': { type: 'boolean' },
      library: { type: 'boolean' },
      only: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const principalId = values['principal-id'] ?? '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(principalId)) {
    throw new Error(`--principal-id: expected an object id (GUID), got ${JSON.stringify(principalId)}`);
  }
  if (values.only !== undefined && (values['machine-role'] !== undefined || values['alert-write'] || values.library)) {
    throw new Error('--only names every role: not with --machine-role, --alert-write or --library');
  }
  const machineRole = values['machine-role'] ?? 'Machine.Read.All';
  if (!isMachineRole(machineRole)) throw new Error(`--machine-role: expected ${MACHINE_ROLES.join(' or ')}, got ${machineRole}`);
  const wanted =
    values.only !== undefined
      ? onlyRoles(values.only)
      : wantedRoles({
          machineRole,
          alertWrite: alertWriteWanted(values['alert-write'], process.env),
          library: values.library ?? false,
        });
  const credential = new ChainedTokenCredential(new AzureDeveloperCliCredential(), new AzureCliCredential());
  const dryRun = values['dry-run'] ?? false;
  process.stdout.write(`${dryRun ? 'Dry run: ' : ''}WindowsDefenderATP app roles for ${principalId}\n`);
  await grantDefenderRoles(graphClient(credential), { principalId, wanted, dryRun }, (line) => process.stdout.write(`  ${line}\n`));
  return 0;
}

function isMachineRole(value: string): value is MachineRole {
  return (MACHINE_ROLES as readonly string[]).includes(value);
}

/** The three Graph calls, over fetch with a Graph token. */
function graphClient(credential: TokenCredential): GraphPort {
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const token = await credential.getToken('https://graph.microsoft.com/.default');
    if (!token) throw new Error('no Microsoft Graph token: sign in with azd auth login or az login');
    const response = await fetch(path.startsWith('https://') ? path : `${GRAPH}${path}`, {
      method,
      headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Graph ${method} ${path.split('?')[0] ?? path}: ${response.status} ${text.slice(0, 500)}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
  return {
    async servicePrincipalByAppId(appId: string): Promise<ResourceServicePrincipal | undefined> {
      const page = (await call('GET', `/servicePrincipals?$filter=appId eq '${appId}'&$select=id,appRoles`)) as {
        value: ResourceServicePrincipal[];
      };
      return page.value[0];
    },
    async assignmentsOf(principalId: string): Promise<AppRoleAssignment[]> {
      const all: AppRoleAssignment[] = [];
      let next: string | undefined = `/servicePrincipals/${principalId}/appRoleAssignments`;
      while (next) {
        const page = (await call('GET', next)) as { value: AppRoleAssignment[]; '@odata.nextLink'?: string };
        all.push(...page.value);
        next = page['@odata.nextLink'];
      }
      return all;
    },
    async assign(assignment: AppRoleAssignment): Promise<void> {
      await call('POST', `/servicePrincipals/${assignment.resourceId}/appRoleAssignedTo`, assignment);
    },
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`grant-defender-roles: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
