import {
  CloudFormationClient,
  paginateListStackInstances,
  paginateListStackSets,
} from '@aws-sdk/client-cloudformation';
import {
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  DescribeDeliveryChannelsCommand,
} from '@aws-sdk/client-config-service';
import {
  OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListPolicies,
  paginateListTargetsForPolicy,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runVend, type VendRun } from '../../cli/vend';
import { collect } from '../../shared/aws/paginate';
import { VirtualClock } from '../../shared/clock/clock';
import {
  ACCOUNT_ACCESS_ROLE,
  RESERVED_STAGE,
  ouName,
  renderAccountEmail,
  roleArn,
  scpName,
  stackSetName,
  type TemplateKey,
} from '../../shared/domain/naming';
import { FAULT_KINDS, FaultInjector, type FaultKind } from '../../shared/sandbox/faults';
import { faultInjectionPlugin, type InjectedCall } from '../support/fault-injection-plugin';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { openMotoWorld } from '../support/moto-world';
import { workflowDefinition } from '../support/workflow';

const request = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as { name: string; accountEmail: string; stages: string[] };
const APP = request.name;
const STAGES = [RESERVED_STAGE, ...request.stages];

/**
 * The SDK's attempts per call, as a deployed function has them (configureAws's default, which the
 * other moto tests use too). Every fault is armed for this many matching attempts, so that it
 * outlasts the SDK's own retries of one call: the workflow, not the SDK, has to get past it.
 */
const MAX_ATTEMPTS = 5;
const TIMES = MAX_ATTEMPTS;

/** Where each stack set's instances belong (DESIGN.md §3), by stage. */
const STACK_SET_STAGES: Record<TemplateKey, string[]> = {
  'artifact-store': [RESERVED_STAGE],
  pipeline: [RESERVED_STAGE],
  'cross-account-roles': request.stages,
  guardrails: STAGES,
};

/**
 * The calls of a vend that change something in moto, as recorded from a fault-free vend of the
 * sample on a fresh organization (each scenario also checks that its fault was met, so a call the
 * workflow stops making fails its scenarios instead of passing them unfaulted). Left out, and why:
 * - reads (List*, Describe*, AssumeRole): they change nothing, so a fault there can only delay or
 *   fail the vend, never duplicate anything; the sandbox fault matrix (test/faults) covers them;
 * - DescribeCreateAccountStatus, UpdateStackSet: never sent on a fresh organization (moto
 *   answers CreateAccount SUCCEEDED at once; every stack set is created with its final template);
 * - PutConformancePack: moto has no conformance packs; the stand-in answers it (the sandbox models
 *   them, faults included);
 * - the service resources, PutEvents and Publish: they set up and announce the vend, whose
 *   organization is what these tests check.
 */
const OPERATIONS = [
  { service: 'organizations', operation: 'CreateOrganizationalUnit' },
  { service: 'organizations', operation: 'CreatePolicy' },
  { service: 'organizations', operation: 'AttachPolicy' },
  { service: 'organizations', operation: 'CreateAccount' },
  { service: 'organizations', operation: 'MoveAccount' },
  { service: 'cloudformation', operation: 'CreateStackSet' },
  { service: 'cloudformation', operation: 'CreateStackInstances' },
  { service: 'config', operation: 'PutConfigurationRecorder' },
  { service: 'config', operation: 'PutDeliveryChannel' },
  { service: 'config', operation: 'StartConfigurationRecorder' },
] as const;

interface Scenario {
  service: string;
  operation: string;
  kind: FaultKind;
}

/**
 * Scenarios moto cannot express, with the reason (each is also reported as a skipped test).
 * Keyed `operation/kind`.
 */
const MOTO_CANNOT: Record<string, string> = {
  // AWS refuses a second OU of the same name under a parent (DuplicateOrganizationalUnitException),
  // so the SDK's retry of a crashed create is refused and the adapter finds the OU it made; the
  // sandbox models that. moto creates another OU of the same name on each retry.
  'CreateOrganizationalUnit/crash-after-success':
    'moto creates OUs of the same name under one parent, which AWS refuses with DuplicateOrganizationalUnitException',
  // AWS refuses a second stack set of the same name (NameAlreadyExistsException), which the adapter
  // reads as "made by an earlier attempt"; the sandbox models that. moto creates another stack set
  // of the same name on each retry.
  'CreateStackSet/crash-after-success':
    'moto creates stack sets of the same name, which AWS refuses with NameAlreadyExistsException',
  // The SDK fills CreateStackInstances' OperationId (an idempotency token) once per call and sends
  // it unchanged on every retry (test/unit/fault-injection-plugin.test.ts): AWS performs the
  // operation once however often it is retried with that token, and the sandbox models that.
  // moto ignores OperationId and adds the instances again on each retry.
  'CreateStackInstances/crash-after-success':
    'moto ignores the OperationId idempotency token that makes the SDK retry of a crashed CreateStackInstances safe on AWS',
};

const SCENARIOS: Scenario[] = OPERATIONS.flatMap(({ service, operation }) =>
  FAULT_KINDS.map((kind) => ({ service, operation, kind })),
);
const expressible = SCENARIOS.filter((s) => !MOTO_CANNOT[`${s.operation}/${s.kind}`]);
const inexpressible = SCENARIOS.filter((s) => MOTO_CANNOT[`${s.operation}/${s.kind}`]).map((s) => ({
  ...s,
  reason: MOTO_CANNOT[`${s.operation}/${s.kind}`]!,
}));

/** A fresh organization on moto with the AWS clients pointed at it through the fault injector. */
export interface FaultWorld {
  faults: FaultInjector;
  /** Every SDK attempt of the vend, with the fault injected into it. */
  calls: InjectedCall[];
  rootId: string;
  vend(): Promise<VendRun>;
}

/**
 * What happens after a vend that a fault made fail: for now, clear the faults and run the same
 * vend again. To be replaced by resuming the failed vend where it stopped.
 */
export async function recoverFailedVend(world: FaultWorld): Promise<VendRun> {
  world.faults.clear();
  return world.vend();
}

/**
 * Checks moto's state through the SDK, without the fault injector, against what one vend of the
 * sample makes: one OU with the app's name under the root, its SCP (one) attached to that OU only,
 * one account per expected email in the whole organization, all in the OU, one stack set per
 * template with one instance per expected account, and Config recording in each account.
 */
async function expectVendedExactlyOnce(endpoint: string, rootId: string): Promise<void> {
  const config = { region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  const organizations = new OrganizationsClient({ ...config, endpoint });
  const ous = await collect(
    paginateListOrganizationalUnitsForParent({ client: organizations }, { ParentId: rootId }),
    (page) => page.OrganizationalUnits,
  );
  const named = ous.filter((ou) => ou.Name === ouName(APP));
  expect(named).toHaveLength(1);
  const ouId = named[0]!.Id!;

  const policies = await collect(
    paginateListPolicies({ client: organizations }, { Filter: 'SERVICE_CONTROL_POLICY' }),
    (page) => page.Policies,
  );
  const scps = policies.filter((p) => p.Name === scpName(APP));
  expect(scps).toHaveLength(1);
  const targets = await collect(
    paginateListTargetsForPolicy({ client: organizations }, { PolicyId: scps[0]!.Id! }),
    (page) => page.Targets,
  );
  expect(targets.map((t) => t.TargetId)).toEqual([ouId]);

  const emails = STAGES.map((stage) => renderAccountEmail(request.accountEmail, APP, stage));
  const everywhere = await collect(
    paginateListAccounts({ client: organizations }, {}),
    (page) => page.Accounts,
  );
  const inOu = await collect(
    paginateListAccountsForParent({ client: organizations }, { ParentId: ouId }),
    (page) => page.Accounts,
  );
  // Each email once in the whole organization (a duplicate left under the root counts too).
  expect(everywhere.map((a) => a.Email).filter((e) => emails.includes(e!))).toHaveLength(emails.length);
  expect(inOu.map((a) => a.Email).sort()).toEqual([...emails].sort());
  const accountOf = (stage: string) =>
    inOu.find((a) => a.Email === renderAccountEmail(request.accountEmail, APP, stage))!.Id!;

  const cloudformation = new CloudFormationClient({ ...config, endpoint });
  const stackSets = await collect(
    paginateListStackSets({ client: cloudformation }, { Status: 'ACTIVE' }),
    (page) => page.Summaries,
  );
  expect(stackSets.map((s) => s.StackSetName).sort()).toEqual(
    Object.keys(STACK_SET_STAGES)
      .map((template) => stackSetName(APP, template as TemplateKey))
      .sort(),
  );
  for (const [template, stages] of Object.entries(STACK_SET_STAGES) as [TemplateKey, string[]][]) {
    const instances = await collect(
      paginateListStackInstances({ client: cloudformation }, { StackSetName: stackSetName(APP, template) }),
      (page) => page.Summaries,
    );
    expect({ template, accounts: instances.map((i) => i.Account).sort() }).toEqual({
      template,
      accounts: stages.map(accountOf).sort(),
    });
  }

  // AWS Config in each account, read with that account's assumed-role credentials.
  const sts = new STSClient({ ...config, endpoint });
  for (const stage of STAGES) {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn(accountOf(stage), ACCOUNT_ACCESS_ROLE),
        RoleSessionName: 'faults-moto-test',
      }),
    );
    const configIn = new ConfigServiceClient({
      region: MOTO_REGION,
      endpoint,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      },
    });
    const { ConfigurationRecorders } = await configIn.send(new DescribeConfigurationRecordersCommand({}));
    const { DeliveryChannels } = await configIn.send(new DescribeDeliveryChannelsCommand({}));
    const { ConfigurationRecordersStatus } = await configIn.send(
      new DescribeConfigurationRecorderStatusCommand({}),
    );
    expect({
      stage,
      recorders: ConfigurationRecorders?.length,
      channels: DeliveryChannels?.length,
      recording: ConfigurationRecordersStatus?.map((s) => s.recording),
    }).toEqual({ stage, recorders: 1, channels: 1, recording: [true] });
  }
}

describeWithMoto('Workflow: vend against moto server with injected faults', () => {
  let moto: MotoServer;

  beforeAll(async () => {
    // A private server: each scenario resets it, which must not reset another file's organization.
    moto = await startMoto({ isolated: true });
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  async function freshWorld(): Promise<FaultWorld> {
    await moto.reset();
    const faults = new FaultInjector();
    const calls: InjectedCall[] = [];
    const org = await openMotoWorld(moto.endpoint, {
      maxAttempts: MAX_ATTEMPTS,
      plugins: ({ managementAccountId }) => [
        faultInjectionPlugin(faults, {
          accounts: { [MOTO_CREDENTIALS.accessKeyId]: managementAccountId },
          onCall: (call) => calls.push(call),
        }),
      ],
    });
    return {
      faults,
      calls,
      rootId: org.rootId,
      vend: () =>
        runVend({
          input: { request },
          definition: workflowDefinition(),
          clock: new VirtualClock(Date.now()),
        }),
    };
  }

  test.each(expressible)(
    '$kind on $service $operation: one OU, SCP, attachment, account per email, stack set and instance per account; Config recording',
    async ({ service, operation, kind }) => {
      // Prepare
      const world = await freshWorld();
      world.faults.inject({ service, operation, error: kind, times: TIMES });

      // Act
      const first = await world.vend();
      const final = first.summary.status === 'SUCCEEDED' ? first : await recoverFailedVend(world);

      // Assess: the fault was met, and the vend (or its recovery) succeeded
      expect(world.calls.filter((c) => c.operation === operation && c.fault === kind).length).toBeGreaterThan(
        0,
      );
      expect(final.summary.error).toBeUndefined();
      expect(final.summary.status).toBe('SUCCEEDED');

      // Assess: the organization as moto holds it
      await expectVendedExactlyOnce(moto.endpoint, world.rootId);
    },
  );

  test.skip.each(inexpressible)('$kind on $service $operation (skipped: $reason)', () => undefined);
});
