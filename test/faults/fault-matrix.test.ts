import { CloudFormationClient, CreateStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';
import {
  FAULT_KINDS,
  accessDropped,
  checkAccessRecord,
  checkOrganization,
  discoverChangeOperations,
  discoverOperations,
  operationLabel,
  rerunVend,
  runCell,
  runMatrix,
  type CellResult,
  type WorkflowOperation,
} from './matrix';

/** The access sample: the vend also gives Identity Center groups their permission sets and puts contacts. */
const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request-access.json'), 'utf8'),
) as Record<string, unknown>;

/**
 * The calls whose repetition would duplicate something in the organization, and one Config call
 * made in every member account. The full matrix (`npm run faults`) covers every call.
 */
const SLICE = [
  'organizations:CreateOrganizationalUnit',
  'organizations:CreatePolicy',
  'organizations:AttachPolicy',
  'organizations:CreateAccount',
  'cloudformation:CreateStackSet',
  'cloudformation:CreateStackInstances',
  'config:PutConformancePack',
  'sso-admin:CreateAccountAssignment',
  'account:PutAlternateContact',
];

/** A management-account client of the world's sandbox, for changes made behind appvend's back. */
function managementClient<T extends { middlewareStack: { use(p: unknown): void } }>(
  world: SandboxWorld,
  Client: new (config: ReturnType<SandboxWorld['sandbox']['clientConfig']>) => T,
): T {
  const client = new Client(world.sandbox.clientConfig());
  client.middlewareStack.use(world.sandbox.plugin());
  return client;
}

describe('Fault matrix', () => {
  let operations: WorkflowOperation[];

  beforeAll(async () => {
    operations = await discoverOperations(sample);
  });

  describe('Function: discoverOperations', () => {
    it('finds every call of the slice among the calls of a clean vend', () => {
      // Assess: a call the workflow no longer makes must leave the slice, not be skipped silently.
      expect(operations.map(operationLabel)).toEqual(expect.arrayContaining(SLICE));
    });

    it('finds reads and calls made in member accounts too', () => {
      // Assess
      const labels = operations.map(operationLabel);
      expect(labels).toContain('organizations:ListAccountsForParent');
      const management = operations.find((op) => op.operation === 'CreateAccount')!.firstAccount;
      const config = operations.find((op) => op.operation === 'PutConformancePack')!;
      expect(config.firstAccount).not.toBe(management);
    });
  });

  describe('Function: runMatrix', () => {
    const inSlice = (op: WorkflowOperation) => SLICE.includes(operationLabel(op));
    const notPassed = (results: CellResult[]) =>
      results
        .filter((r) => r.outcome !== 'passed')
        .map((r) => `${operationLabel(r)} ${r.kind}/${r.intensity}: ${r.outcome} ${r.reasons.join('; ')}`);

    it('absorbs a transient fault of every kind on the slice, without a re-run', async () => {
      // Act: strict, since a transient fault is the state machine's Retry's or the adapter's to
      // absorb; a cell that needed the re-run fails.
      const results = await runMatrix(sample, {
        select: inSlice,
        intensities: ['transient'],
        strictTransient: true,
      });

      // Assess
      expect(results).toHaveLength(SLICE.length * FAULT_KINDS.length);
      expect(notPassed(results)).toEqual([]);
    });

    it('recovers the slice from outages of effects without answers and of unretried refusals', async () => {
      // Act: throttling, 5xx and timeout outages are left to the full matrix; the SDK's real
      // backoff makes a throttling outage take seconds of wall time.
      const results = await runMatrix(sample, {
        select: inSlice,
        kinds: ['crash-after-success', 'concurrent-modification'],
        intensities: ['outage'],
      });

      // Assess
      expect(results).toHaveLength(SLICE.length * 2);
      expect(notPassed(results)).toEqual([]);
      // Refused every time, CreateOrganizationalUnit fails the vend: the re-run is what recovers.
      expect(results).toContainEqual(
        expect.objectContaining({
          operation: 'CreateOrganizationalUnit',
          kind: 'concurrent-modification',
          recovered: true,
        }),
      );
    });
  });

  describe('Function: runCell', () => {
    it('takes a lost PutConformancePack answer for the pack being deployed, without recovery', async () => {
      // Prepare: the SDK's retry of the Put is refused while the pack deploys (ResourceInUseException).
      const put = operations.find((op) => op.operation === 'PutConformancePack')!;

      // Act
      const result = await runCell(
        { operation: put, kind: 'crash-after-success', intensity: 'transient' },
        sample,
      );

      // Assess
      expect(result).toMatchObject({ outcome: 'passed', recovered: false, reasons: [] });
      expect(result.fired).toBeGreaterThan(0);
    });

    it('reports a fault on a call the workflow never makes as unfired', async () => {
      // Prepare
      const never: WorkflowOperation = {
        service: 'organizations',
        operation: 'DeleteOrganizationalUnit',
        mutating: true,
        firstAccount: '',
        calls: 0,
      };

      // Act
      const result = await runCell(
        { operation: never, kind: 'server-error', intensity: 'transient' },
        sample,
      );

      // Assess
      expect(result.outcome).toBe('unfired');
      expect(result.fired).toBe(0);
    });

    it('fails a cell whose recovery does not bring the vend to success', async () => {
      // Prepare
      const createOu = operations.find((op) => op.operation === 'CreateOrganizationalUnit')!;

      // Act: an outage fails the vend, and a "recovery" that fails before any AWS call (an
      // invalid request) leaves the organization without the application.
      const result = await runCell(
        { operation: createOu, kind: 'server-error', intensity: 'outage' },
        sample,
        { recover: (world) => rerunVend(world, { ...sample, name: 'X' }) },
      );

      // Assess
      expect(result.outcome).toBe('failed');
      expect(result.recovered).toBe(true);
      expect(result.firstRun).toMatchObject({ status: 'FAILED', step: 'EnsureOrganizationalUnit' });
      expect(result.reasons[0]).toMatch(/^the final vend did not succeed: failed at ValidateRequest/);
      expect(result.reasons).toContain('expected one OU appvend-orders under r-sbx1, found 0');
    });
  });

  describe('Function: discoverChangeOperations', () => {
    it('finds the removals only a change makes, and a change that converges under a fault on them', async () => {
      // Act
      const change = await discoverChangeOperations(sample, accessDropped(sample), operations);
      const deletion = change.find((op) => op.operation === 'DeleteAccountAssignment')!;
      const result = await runCell(
        {
          operation: deletion,
          kind: 'crash-after-success',
          intensity: 'outage',
          prelude: sample,
          request: accessDropped(sample),
        },
        sample,
      );

      // Assess
      expect(change.map(operationLabel)).toEqual(
        expect.arrayContaining([
          'sso-admin:DeleteAccountAssignment',
          'sso-admin:DescribeAccountAssignmentDeletionStatus',
          'account:DeleteAlternateContact',
        ]),
      );
      expect(change.map(operationLabel)).not.toContain('sso-admin:CreateAccountAssignment');
      expect(result).toMatchObject({ outcome: 'passed', reasons: [] });
      expect(result.fired).toBeGreaterThan(0);
    });
  });

  describe('Function: checkOrganization', () => {
    let world: SandboxWorld;

    beforeEach(async () => {
      world = sandboxWorld();
      const { summary } = await world.vend(sample);
      expect(summary.status).toBe('SUCCEEDED');
    });

    const idOf = (stage: string) =>
      world.sandbox.accounts().find((a) => a.email === `aws+orders-${stage}@example.com`)!.id;

    it('finds nothing wrong after a clean vend', () => {
      // Act & Assess
      expect(checkOrganization(world.sandbox, sample)).toEqual([]);
    });

    it('accepts one failed CreateAccount request for an address already vended (how a retried vend finds an account outside the OU)', async () => {
      // Prepare
      await managementClient(world, OrganizationsClient).send(
        new CreateAccountCommand({ AccountName: 'orders-tooling', Email: 'aws+orders-tooling@example.com' }),
      );
      world.clock.advance(DEFAULT_LATENCY.createAccount);

      // Act
      const violations = checkOrganization(world.sandbox, sample);

      // Assess
      expect(violations).toEqual([]);
    });

    it('finds a CreateAccount sent again blindly: a second failed request for an address already vended', async () => {
      // Prepare
      for (let n = 0; n < 2; n++) {
        await managementClient(world, OrganizationsClient).send(
          new CreateAccountCommand({
            AccountName: 'orders-tooling',
            Email: 'aws+orders-tooling@example.com',
          }),
        );
        world.clock.advance(DEFAULT_LATENCY.createAccount);
      }

      // Act
      const violations = checkOrganization(world.sandbox, sample);

      // Assess
      expect(violations).toEqual([
        expect.stringMatching(
          /^expected one SUCCEEDED CreateAccount request for aws\+orders-tooling@example.com \(and at most one FAILED EMAIL_ALREADY_EXISTS\), found \[\S+ SUCCEEDED, \S+ FAILED EMAIL_ALREADY_EXISTS, \S+ FAILED EMAIL_ALREADY_EXISTS\]$/,
        ),
      ]);
    });

    it('finds a stray account moved into the OU', async () => {
      // Prepare
      const client = managementClient(world, OrganizationsClient);
      await client.send(new CreateAccountCommand({ AccountName: 'stray', Email: 'stray@example.com' }));
      world.clock.advance(DEFAULT_LATENCY.createAccount);
      const stray = world.sandbox.accounts().find((a) => a.email === 'stray@example.com')!;
      const ou = world.sandbox.ous().find((o) => o.name === 'appvend-orders')!;
      await client.send(
        new MoveAccountCommand({
          AccountId: stray.id,
          SourceParentId: stray.parentId,
          DestinationParentId: ou.id,
        }),
      );

      // Act
      const violations = checkOrganization(world.sandbox, sample);

      // Assess
      expect(violations).toEqual([`the OU holds accounts it should not: ${stray.id} stray@example.com`]);
    });

    it('finds the SCP attached a second time, elsewhere', async () => {
      // Prepare
      const scp = world.sandbox.policies().find((p) => p.name === 'appvend-orders-guardrails')!;
      const root = world.sandbox.organization().RootId;
      await managementClient(world, OrganizationsClient).send(
        new AttachPolicyCommand({ PolicyId: scp.id, TargetId: root }),
      );

      // Act
      const violations = checkOrganization(world.sandbox, sample);

      // Assess
      expect(violations).toEqual([
        expect.stringMatching(/^expected SCP \S+ attached once, to \S+; attached to \[\S+, r-/),
      ]);
    });

    it('finds a second OU of the same name', async () => {
      // Prepare: AWS refuses a duplicate name under one parent, not under another.
      const ou = world.sandbox.ous().find((o) => o.name === 'appvend-orders')!;
      await managementClient(world, OrganizationsClient).send(
        new CreateOrganizationalUnitCommand({ ParentId: ou.id, Name: 'appvend-orders' }),
      );

      // Act
      const violations = checkOrganization(world.sandbox, sample);

      // Assess
      expect(violations).toEqual([
        expect.stringMatching(/^expected one OU appvend-orders under r-\S+, found 2/),
      ]);
    });

    it('finds an account left in quarantine', async () => {
      // Prepare
      const quarantine = world.sandbox.policies().find((p) => p.name === 'appvend-quarantine')!;
      await managementClient(world, OrganizationsClient).send(
        new AttachPolicyCommand({ PolicyId: quarantine.id, TargetId: idOf('prod') }),
      );

      // Act
      const violations = checkOrganization(world.sandbox, sample);

      // Assess
      expect(violations).toEqual([`account ${idOf('prod')} still carries appvend-quarantine`]);
    });

    it("finds an assignment removed by hand, and contacts that are not the request's", async () => {
      // Prepare
      world.sandbox.removeAccountAssignmentByHand({
        accountId: idOf('prod'),
        group: 'orders-oncall',
        permissionSet: 'ReadOnlyAccess',
      });
      const dropped = accessDropped(sample);

      // Act
      const violations = checkOrganization(world.sandbox, sample);
      const asChanged = checkOrganization(world.sandbox, dropped);

      // Assess
      expect(violations).toEqual([
        `expected one provisioned assignment of ReadOnlyAccess to orders-oncall in ${idOf('prod')}, found none`,
      ]);
      // The changed request no longer asks for the on-call grant (gone already) nor the operations
      // contact, which every account still has.
      expect(asChanged).toEqual(
        ['tooling', 'test', 'prod'].map(
          (stage) =>
            `account ${idOf(stage)} has the alternate contacts [OPERATIONS, SECURITY], not the request's [SECURITY] with its values`,
        ),
      );
    });

    it('finds an assignment appvend made that the ledger does not record', async () => {
      // Prepare: a vend outside the ledger records nothing
      const record = await world.ledger.get('orders');

      // Act
      const violations = checkAccessRecord(record, world.sandbox, sample);

      // Assess
      expect(violations).toHaveLength(4);
      expect(violations[0]).toMatch(
        /^the ledger does not record that appvend made AppvendApprover for orders-approvers in \d{12}/,
      );
    });

    it('finds a stray stack instance', async () => {
      // Prepare: the stage roles deployed into the tooling account as well.
      await managementClient(world, CloudFormationClient).send(
        new CreateStackInstancesCommand({
          StackSetName: 'appvend-orders-cross-account-roles',
          Accounts: [idOf('tooling')],
          Regions: ['us-east-1'],
        }),
      );
      world.clock.advance(DEFAULT_LATENCY.createAccount);

      // Act
      const violations = checkOrganization(world.sandbox, sample);

      // Assess
      expect(violations).toEqual([
        `appvend-orders-cross-account-roles has stray instances: ${idOf('tooling')}/us-east-1`,
      ]);
    });
  });
});
