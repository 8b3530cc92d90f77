import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActivateOrganizationsAccessCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { awsClients, configureAws } from '../../shared/aws/client-factory';
import { FUNCTION_SESSION_TAG, MANAGEMENT_WRITE_ROLE_NAME } from '../../shared/domain/management-access';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';
import { createSuspendedOu, offboard, vendThroughLedger } from '../support/offboard';

const PRINCIPAL = 'member.org.stacksets.cloudformation.amazonaws.com';
const accessSample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request-access.json'), 'utf8'),
) as Record<string, unknown>;
const SERVICE_ROLE = 'appvend-service';
const req = { ...accessSample, source: { ...(accessSample.source as object), connectionArn: 'arn:aws:codeconnections:us-east-1:100000000900:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' } };

describe('x', () => {
  let world: SandboxWorld;
  let management: string;
  let platform: string;
  beforeEach(async () => {
    world = sandboxWorld();
    management = world.sandbox.organization().MasterAccountId as string;
    platform = world.sandbox.setUpPlatformAccount({
      functionRoles: [SERVICE_ROLE],
      managementRoles: { [MANAGEMENT_WRITE_ROLE_NAME]: [SERVICE_ROLE] },
      principalSessionTag: FUNCTION_SESSION_TAG,
    });
    await awsClients().managementClient(CloudFormationClient).send(new ActivateOrganizationsAccessCommand({}));
    await awsClients().organizations().send(new RegisterDelegatedAdministratorCommand({ AccountId: platform, ServicePrincipal: PRINCIPAL }));
    await createSuspendedOu();
    process.env.APPVEND_STACKSETS_MODE = 'SERVICE_MANAGED';
    configureAws({
      region: 'us-east-1',
      plugins: [world.sandbox.plugin()],
      credentials: world.sandbox.executionRoleSession(platform, SERVICE_ROLE),
      maxAttempts: 3,
      now: () => world.clock.now(),
      managementRoleArn: `arn:aws:iam::${management}:role/${MANAGEMENT_WRITE_ROLE_NAME}`,
    });
  });
  afterEach(() => { delete process.env.APPVEND_STACKSETS_MODE; delete process.env.APPVEND_SUSPENDED_OU_ID; });
  it('vends', async () => {
    const run = await vendThroughLedger(world, req);
    console.log(JSON.stringify(run.summary, null, 1).slice(0, 3000));
    const errs = world.sandbox.calls.filter((c) => c.error).map((c) => `${c.service} ${c.operation} ${c.accountId} ${c.principal} ${c.error}`);
    console.log(errs.slice(0, 40).join('\n'));
    const off = await offboard(world, (accessSample as {name: string}).name);
    console.log(JSON.stringify(off, null, 1).slice(0, 3000));
  });
});
