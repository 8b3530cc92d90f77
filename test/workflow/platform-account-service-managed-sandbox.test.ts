/**
 * The two-account layout end to end (issue 18 items 2 and 5) on the sandbox: the service runs as a
 * principal of the platform member account, registered as the StackSets delegated administrator;
 * it vends the access sample with service-managed stack sets (CallAs DELEGATED_ADMIN, targeted by
 * the application's OU) and offboards it, and every call AWS answers only in the management account
 * goes through the management role. Member accounts are entered by chaining from the management
 * role (their access role trusts the management account only).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActivateOrganizationsAccessCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { awsClients, configureAws, type AnyPluggable } from '../../shared/aws/client-factory';
import { FUNCTION_SESSION_TAG, MANAGEMENT_WRITE_ROLE_NAME } from '../../shared/domain/management-access';
import type { CallRecord } from '../../shared/sandbox';
import { createSuspendedOu, offboard, vendThroughLedger } from '../support/offboard';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const STACKSETS_PRINCIPAL = 'member.org.stacksets.cloudformation.amazonaws.com';
const accessSample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request-access.json'), 'utf8'),
) as Record<string, unknown> & { name: string; source: Record<string, unknown> };
/** The services whose calls AWS answers only in the management account (bar a delegated administrator). */
const MANAGEMENT_ONLY = new Set(['organizations', 'account', 'sso-admin', 'identitystore']);
const SERVICE_ROLE = 'appvend-service';

/** Every CloudFormation command the service sends, with the CallAs it names (as the SDK sends it). */
function recordCallAs(into: Array<{ command: string; callAs?: string }>): AnyPluggable {
  return {
    applyToStack: (stack) =>
      stack.add(
        (next, context) => async (args) => {
          if (context.clientName === 'CloudFormationClient') {
            const input = args.input as { CallAs?: string };
            const command = String(context.commandName);
            into.push({ command, ...(input.CallAs && { callAs: input.CallAs }) });
          }
          return next(args);
        },
        { step: 'initialize', name: 'recordCallAs' },
      ),
  };
}

describe('Workflow: the platform-account vend with service-managed stack sets, end to end on the sandbox', () => {
  let world: SandboxWorld;
  let management: string;
  let platform: string;
  let cloudFormationCalls: Array<{ command: string; callAs?: string }>;
  /** How many calls the administrator's setup made: the service's own come after. */
  let setupCalls: number;
  /** The request, its pipeline's connection in the platform account (which shares it, as RAM shares only what the caller owns). */
  let request: typeof accessSample;
  const managementSession = () =>
    `arn:aws:sts::${management}:assumed-role/${MANAGEMENT_WRITE_ROLE_NAME}/appvend`;
  const serviceSession = () => `arn:aws:sts::${platform}:assumed-role/${SERVICE_ROLE}/${SERVICE_ROLE}`;

  /** The service's process as Lambda runs it: its execution role's session in the platform account. */
  const runAsPlatformService = () =>
    configureAws({
      region: 'us-east-1',
      plugins: [recordCallAs(cloudFormationCalls), world.sandbox.plugin()],
      credentials: world.sandbox.executionRoleSession(platform, SERVICE_ROLE),
      maxAttempts: 3,
      now: () => world.clock.now(),
      managementRoleArn: `arn:aws:iam::${management}:role/${MANAGEMENT_WRITE_ROLE_NAME}`,
    });

  beforeEach(async () => {
    world = sandboxWorld();
    cloudFormationCalls = [];
    management = world.sandbox.organization().MasterAccountId as string;
    platform = world.sandbox.setUpPlatformAccount({
      functionRoles: [SERVICE_ROLE],
      managementRoles: { [MANAGEMENT_WRITE_ROLE_NAME]: [SERVICE_ROLE] },
      principalSessionTag: FUNCTION_SESSION_TAG,
    });
    request = {
      ...accessSample,
      source: {
        ...accessSample.source,
        connectionArn: `arn:aws:codeconnections:us-east-1:${platform}:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
      },
    };
    // The administrator's one-time setup in the management account (docs/deploy.md), made with
    // its own credentials, as the AWS CLI commands there do.
    await awsClients()
      .managementClient(CloudFormationClient)
      .send(new ActivateOrganizationsAccessCommand({}));
    await awsClients()
      .organizations()
      .send(
        new RegisterDelegatedAdministratorCommand({
          AccountId: platform,
          ServicePrincipal: STACKSETS_PRINCIPAL,
        }),
      );
    await createSuspendedOu();
    process.env.APPVEND_STACKSETS_MODE = 'SERVICE_MANAGED';
    runAsPlatformService();
    setupCalls = world.sandbox.calls.length;
  });

  const serviceCalls = (): CallRecord[] => world.sandbox.calls.slice(setupCalls);

  afterEach(() => {
    delete process.env.APPVEND_STACKSETS_MODE;
    delete process.env.APPVEND_SUSPENDED_OU_ID;
  });

  it('vends the access sample from the platform account: service-managed stack sets as DELEGATED_ADMIN, in the management account, deployed by OU', async () => {
    // Act
    const { summary } = await vendThroughLedger(world, request);

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    const ou = summary.organizationalUnit!.id;
    const id = (stage: string) => summary.accounts[stage]!.id;
    const sets = world.sandbox.stackSets().filter((s) => s.name.startsWith(`appvend-${request.name}-`));
    expect(sets).toHaveLength(4);
    // Created by the delegated administrator, they live in the management account.
    expect(sets.map((s) => `${s.permissionModel} ${s.ownerAccountId}`)).toEqual(
      sets.map(() => `SERVICE_MANAGED ${management}`),
    );
    // CURRENT while the accounts were quarantined: the sandbox fails an instance whose execution role
    // an SCP denies everything, so this holds only because the quarantine exempts stacksets-exec-*.
    const instances = world.sandbox.stackInstances();
    expect(instances.every((i) => i.organizationalUnitId === ou && i.status === 'CURRENT')).toBe(true);
    expect(
      instances.filter((i) => i.stackSetName === `appvend-${request.name}-pipeline`).map((i) => i.account),
    ).toEqual([id('tooling')]);
    // Every stack set call named DELEGATED_ADMIN, and was made by the service itself in the platform account.
    const stackSetCommands = cloudFormationCalls.filter((c) => /StackSet|StackInstances/.test(c.command));
    expect(stackSetCommands.length).toBeGreaterThan(0);
    expect(stackSetCommands.filter((c) => c.callAs !== 'DELEGATED_ADMIN')).toEqual([]);
    const cfnPrincipals = new Set(
      serviceCalls()
        .filter((c) => c.service === 'cloudformation')
        .map((c) => c.principal),
    );
    expect(cfnPrincipals).toEqual(new Set([serviceSession()]));
    // The connection was shared from the platform account, which owns it.
    const shares = world.sandbox.calls.filter((c) => c.operation === 'CreateResourceShare' && !c.error);
    expect(shares.map((c) => c.principal)).toEqual([serviceSession()]);
  });

  it('offboards it from the platform account: instances removed by OU, the stack sets deleted', async () => {
    // Prepare
    expect((await vendThroughLedger(world, request)).summary.status).toBe('SUCCEEDED');
    const mark = cloudFormationCalls.length;

    // Act
    const run = await offboard(world, request.name);

    // Assess
    expect(run).not.toBe('already-offboarded');
    expect(run).toMatchObject({ summary: { status: 'OFFBOARDED' } });
    expect(world.sandbox.stackInstances()).toEqual([]);
    const sets = world.sandbox.stackSets().filter((s) => s.name.startsWith(`appvend-${request.name}-`));
    expect(sets.map((s) => s.status)).toEqual(['DELETED', 'DELETED', 'DELETED', 'DELETED']);
    const removals = cloudFormationCalls
      .slice(mark)
      .filter((c) => ['DeleteStackInstancesCommand', 'DeleteStackSetCommand'].includes(c.command));
    expect(removals.length).toBeGreaterThanOrEqual(8);
    expect(removals.filter((c) => c.callAs !== 'DELEGATED_ADMIN')).toEqual([]);
  });

  it('calls Organizations, Identity Center and Account Management only through the management role, vend and offboarding both', async () => {
    // Act
    expect((await vendThroughLedger(world, request)).summary.status).toBe('SUCCEEDED');
    expect(await offboard(world, request.name)).toMatchObject({ summary: { status: 'OFFBOARDED' } });

    // Assess
    const calls = serviceCalls().filter((c) => MANAGEMENT_ONLY.has(c.service));
    expect(new Set(calls.map((c) => c.service))).toEqual(MANAGEMENT_ONLY);
    expect(new Set(calls.map((c) => c.principal))).toEqual(new Set([managementSession()]));
    expect(calls.filter((c) => c.error === 'AccessDeniedException')).toEqual([]);
    // The management role is the only way in: only the service's session assumed it.
    const roleEntries = serviceCalls().filter(
      (c) => c.operation === 'AssumeRole' && c.principal === serviceSession(),
    );
    expect(roleEntries.length).toBeGreaterThan(0);
    expect(roleEntries.filter((c) => c.error)).toEqual([]);
  });

  it('stops at DeployStackSets with self-managed stack sets: the platform account cannot use the management account’s StackSets roles', async () => {
    // Prepare
    process.env.APPVEND_STACKSETS_MODE = 'SELF_MANAGED';

    // Act
    const { summary } = await vendThroughLedger(world, request);

    // Assess
    expect(summary.status).toBe('FAILED');
    expect(summary.error?.step).toBe('DeployStackSets');
    // The stack sets are the platform account's own, and their administration role is not: no
    // instance is deployed (the execution role in each account trusts the management account only).
    const instances = world.sandbox.stackInstances();
    expect(instances.filter((i) => i.status === 'CURRENT')).toEqual([]);
    expect(instances.map((i) => i.statusReason)).toEqual(
      instances.map(() => expect.stringMatching(/Cannot assume role .*StackSetAdministrationRole/)),
    );
  });
});
