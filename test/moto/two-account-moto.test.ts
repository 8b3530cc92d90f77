/**
 * The two-account layout on moto server (issue 18 item 5), as far as moto 5.2.1 can show it: the
 * service's session in a platform member account (moto ties assumed-role keys to the role's
 * account), the management role assumed from it, the organization side of the vend made through
 * that role. What moto cannot show, and the sandbox does (platform-account-service-managed-sandbox):
 * it does not refuse a member account's own Organizations calls, nor evaluate the management role's
 * trust policy, and it ignores CallAs, so service-managed stack sets created from the platform
 * account are its own and their instances by OU reach no account; appvend then stops at
 * DeployStackSets naming the accounts instead of claiming them deployed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateAccountCommand,
  EnableAWSServiceAccessCommand,
  ListAccountsForParentCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { Pluggable } from '@smithy/types';
import { ensureServiceResources } from '../../cli/service-resources';
import { runVend } from '../../cli/vend';
import { configureAws } from '../../shared/aws/client-factory';
import { VirtualClock } from '../../shared/clock/clock';
import { conformancePackStandIn } from '../support/conformance-pack-stand-in';
import {
  MOTO_CREDENTIALS,
  MOTO_REGION,
  describeWithMoto,
  platformServiceCredentials,
  startMoto,
  type MotoServer,
} from '../support/moto';
import { openMotoWorld } from '../support/moto-world';
import { workflowDefinition } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;
const SAVED_ENV = { ...process.env };

/** The access key each request of a client was signed with, by service: who made the call, as AWS sees it. */
function signingKeys(
  into: Array<{ client: string; command: string; key: string }>,
): Pluggable<object, object> {
  return {
    applyToStack: (stack) =>
      stack.add(
        (next, context) => async (args) => {
          const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
          const key = /Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1] ?? '';
          into.push({ client: String(context.clientName), command: String(context.commandName), key });
          return next(args);
        },
        // After signing: the request carries its Authorization header.
        { step: 'deserialize', name: 'recordSigningKey' },
      ),
  };
}

describeWithMoto('Workflow: the two-account layout on moto server', () => {
  let moto: MotoServer;

  beforeAll(async () => {
    moto = await startMoto({ isolated: true });
  }, 60_000);
  afterAll(async () => {
    process.env = SAVED_ENV;
    configureAws({});
    await moto?.stop();
  });

  it('makes the organization side of the vend through the management role from a platform account, and stops at the stack sets moto cannot run', async () => {
    // Prepare: the organization in moto's default account (the management account), a platform
    // member account, and the service's session there.
    await moto.reset();
    const { rootId, managementAccountId } = await openMotoWorld(moto.endpoint);
    const management = { region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    const organizations = new OrganizationsClient(management);
    const { CreateAccountStatus } = await organizations.send(
      new CreateAccountCommand({ Email: 'platform@example.com', AccountName: 'platform' }),
    );
    const platform = CreateAccountStatus!.AccountId!;
    await organizations.send(
      new EnableAWSServiceAccessCommand({
        ServicePrincipal: 'member.org.stacksets.cloudformation.amazonaws.com',
      }),
    );
    const credentials = await platformServiceCredentials(management, platform);
    const signed: Array<{ client: string; command: string; key: string }> = [];
    configureAws({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials,
      plugins: [signingKeys(signed), conformancePackStandIn().plugin],
      managementRoleArn: `arn:aws:iam::${managementAccountId}:role/appvend-management-access`,
    });
    // The service stack's ledger, bus and topic, in the platform account where it is deployed.
    const { topicArn } = await ensureServiceResources({
      ledgerTable: process.env.APPVEND_LEDGER_TABLE!,
      eventBus: process.env.APPVEND_EVENT_BUS_NAME!,
      topicName: 'appvend-notifications',
    });
    process.env.APPVEND_VEND_TOPIC_ARN = topicArn;
    process.env.APPVEND_STACKSETS_MODE = 'SERVICE_MANAGED';

    // Act
    const { summary } = await runVend({
      input: { request: sample },
      definition: workflowDefinition(),
      clock: new VirtualClock(Date.now()),
    });

    // Assess: the organization's side happened in the management account's organization.
    const ou = summary.organizationalUnit!.id;
    const { Accounts = [] } = await organizations.send(new ListAccountsForParentCommand({ ParentId: ou }));
    expect(Accounts.map((a) => a.Id).sort()).toEqual(
      Object.values(summary.accounts)
        .map((a) => a.id)
        .sort(),
    );
    const { Targets = [] } = await organizations.send(
      new ListTargetsForPolicyCommand({ PolicyId: summary.serviceControlPolicy!.id }),
    );
    expect(Targets.map((t) => t.TargetId)).toEqual([ou]);
    expect(ou).toMatch(new RegExp(`^ou-${rootId.slice(2)}-`));
    // Every Organizations request was signed with the management role's session, none with the
    // platform session's own keys; the role was assumed from the platform session.
    const platformKey = credentials.accessKeyId;
    const orgRequests = signed.filter((s) => s.client === 'OrganizationsClient');
    expect(orgRequests.length).toBeGreaterThan(5);
    expect(orgRequests.filter((s) => s.key === platformKey || s.key === '')).toEqual([]);
    const roleEntries = signed.filter((s) => s.command === 'AssumeRoleCommand' && s.key === platformKey);
    expect(roleEntries.length).toBeGreaterThan(0);
    // CloudFormation's calls are the platform session's own (the delegated administrator's).
    const cfn = signed.filter((s) => s.client === 'CloudFormationClient');
    expect(cfn.length).toBeGreaterThan(0);
    expect(cfn.filter((s) => s.key !== platformKey)).toEqual([]);
    // moto ignores CallAs: the instances by OU reach no account, and appvend says so.
    expect(summary).toMatchObject({ status: 'FAILED', error: { step: 'DeployStackSets' } });
    expect(summary.error!.message).toMatch(/got no stack instance from a deployment to OU .*not in it/);
  });
});
