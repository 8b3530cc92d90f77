import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeDeliveryChannelsCommand,
} from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateOrganizationalUnitCommand,
  DescribeAccountCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CloudFormationClient, ListStackSetsCommand } from '@aws-sdk/client-cloudformation';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OffboardRun } from '../../cli/offboard';
import { awsClients, managementClient } from '../../shared/aws/client-factory';
import { VirtualClock } from '../../shared/clock/clock';
import { configureLedger } from '../../shared/ledger';
import { DynamoDbLedgerStore } from '../../shared/ledger/dynamodb-store';
import { Ledger } from '../../shared/ledger/ledger';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { offboard, vendThroughLedger } from '../support/offboard';
import { openMotoWorld } from '../support/moto-world';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

const finished = (run: OffboardRun | 'already-offboarded'): OffboardRun => {
  if (run === 'already-offboarded') throw new Error('expected an offboarding to run');
  return run;
};

/**
 * The vend → offboard cycle against moto server: every call of the offboarding well formed for the
 * real SDK wire protocol, the ledger in a DynamoDB table, and the stack instances' resources really
 * deleted from the member accounts. What moto does not model, and is covered on the sandbox
 * (test/workflow/offboard-sandbox.test.ts) instead:
 * - stack set operations end at once in moto, so the Wait loop runs no wait here;
 * - moto's CloseAccount has no quota of its own and no PENDING_CLOSURE phase (the account is
 *   SUSPENDED at once); appvend's own quota check is what is exercised here;
 * - conformance packs (as in the vend test): answered by the stand-in, which the offboarding's
 *   deletions go to as well (the Config recorders and channels are moto's own);
 * - emptying the artifact buckets: the StackId moto's stack instances report names no stack of the
 *   member account, so the offboarding finds no bucket to empty here, and moto deletes the stack
 *   without its non-empty bucket where CloudFormation would fail. The emptying's own calls are
 *   checked against moto in test/moto/stack-buckets-moto.test.ts.
 */
describeWithMoto('Workflow: vend → offboard against moto server (--endpoint)', () => {
  let moto: MotoServer;
  let endpoint: string;
  let rootId: string;
  let suspendedOu: string;
  const clock = new VirtualClock(Date.now());
  let ledger: Ledger;

  beforeAll(async () => {
    // A server of its own: another file's reset() must not wipe this organization mid-cycle.
    moto = await startMoto({ isolated: true });
    endpoint = moto.endpoint;
    const org = await openMotoWorld(endpoint);
    rootId = org.rootId;
    ledger = new Ledger(
      new DynamoDbLedgerStore(managementClient(DynamoDBClient), process.env.APPVEND_LEDGER_TABLE!),
    );
    configureLedger(ledger);
    const { OrganizationalUnit } = await organizations().send(
      new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Suspended' }),
    );
    suspendedOu = OrganizationalUnit!.Id!;
    process.env.APPVEND_SUSPENDED_OU_ID = suspendedOu;
  }, 60_000);

  afterAll(async () => {
    configureLedger(undefined);
    delete process.env.APPVEND_SUSPENDED_OU_ID;
    await moto?.stop();
  });

  const organizations = () =>
    new OrganizationsClient({ region: MOTO_REGION, endpoint, credentials: MOTO_CREDENTIALS });

  it('vends, offboards, closes the accounts within the closure quota, then does nothing', async () => {
    // Prepare
    const vend = await vendThroughLedger({ ledger, clock }, sample);
    expect(vend.summary.error).toBeUndefined();
    const accounts = Object.values(vend.summary.accounts).map((a) => a.id);
    const stageAccount = vend.summary.accounts.test!.id;
    const iam = new IAMClient({
      region: MOTO_REGION,
      endpoint,
      credentials: await awsClients().credentialsFor(stageAccount),
    });
    await iam.send(new GetRoleCommand({ RoleName: 'CloudformationDeployerRole' }));
    const config = new ConfigServiceClient({
      region: MOTO_REGION,
      endpoint,
      credentials: await awsClients().credentialsFor(stageAccount),
    });
    const { ConfigurationRecorders: recordersBefore } = await config.send(
      new DescribeConfigurationRecordersCommand({}),
    );
    expect(recordersBefore).toHaveLength(1);

    // Act: 3 member accounts: AWS's floor of 10 closures per 30 days lets all three close. (A
    // refusal over the quota needs more closures than a moto run makes: the sandbox tests it.)
    const closed = finished(await offboard({ ledger, clock }, 'orders', { closeAccounts: true }));
    const again = await offboard({ ledger, clock }, 'orders', { closeAccounts: true });

    // Assess: the organization and the stack sets as moto holds them.
    expect(closed.summary.status).toBe('OFFBOARDED');
    const client = organizations();
    const { OrganizationalUnits } = await client.send(
      new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }),
    );
    expect(OrganizationalUnits!.map((o) => o.Name)).toEqual(['Suspended']);
    const { Policies } = await client.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }));
    expect(Policies!.map((p) => p.Name)).not.toContain('appvend-orders-guardrails');
    const { Accounts } = await client.send(new ListAccountsForParentCommand({ ParentId: suspendedOu }));
    expect(Accounts!.map((a) => a.Id).sort()).toEqual([...accounts].sort());
    for (const id of accounts) {
      const { Account } = await client.send(new DescribeAccountCommand({ AccountId: id }));
      expect(Account!.Status).toBe('SUSPENDED');
    }
    const cloudFormation = new CloudFormationClient({
      region: MOTO_REGION,
      endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const { Summaries } = await cloudFormation.send(new ListStackSetsCommand({}));
    expect(
      Summaries!.filter((s) => s.StackSetName?.startsWith('appvend-orders-')).map((s) => s.Status),
    ).toEqual(['DELETED', 'DELETED', 'DELETED', 'DELETED']);
    // The stack instances' resources are gone from the member account.
    await expect(
      iam.send(new GetRoleCommand({ RoleName: 'CloudformationDeployerRole' })),
    ).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    // The Config recorder and delivery channel the vend created are gone too.
    const { ConfigurationRecorders } = await config.send(new DescribeConfigurationRecordersCommand({}));
    const { DeliveryChannels } = await config.send(new DescribeDeliveryChannelsCommand({}));
    expect([ConfigurationRecorders, DeliveryChannels]).toEqual([[], []]);
    // Assess: the ledger item in DynamoDB, kept with its history; a second offboarding is a no-op.
    const record = await ledger.get('orders');
    expect(record).toMatchObject({ status: 'OFFBOARDED', history: [{ closeAccounts: true }] });
    expect(record!.history![0]!.closedAccounts.map((a) => a.id).sort()).toEqual([...accounts].sort());
    expect(again).toBe('already-offboarded');
  }, 120_000);
});
