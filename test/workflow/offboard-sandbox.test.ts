import { parseRequest } from '../../shared/request/validate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloseAccountCommand,
  CreateAccountCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-organizations';
import { ConfigServiceClient, PutConfigurationRecorderCommand } from '@aws-sdk/client-config-service';
import { DeleteObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateResourceShareCommand, RAMClient } from '@aws-sdk/client-ram';
import type { OffboardRun } from '../../cli/offboard';
import { accessLogsBucketName, artifactBucketName } from '../../shared/domain/naming';
import {
  EMPTYING_PAGES_PER_CALL,
  removeApplicationStackSet,
} from '../../shared/workflow/offboard/stack-sets';
import { checkStackSet } from '../../shared/workflow/steps/stack-set';
import { awsClients } from '../../shared/aws/client-factory';
import { VirtualClock } from '../../shared/clock/clock';
import { Sandbox, DEFAULT_LATENCY } from '../../shared/sandbox';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';
import { createSuspendedOu, offboard, vendThroughLedger } from '../support/offboard';
import { OWNER } from '../support/actors';

const orders = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;
const billing = { ...orders, name: 'billing', owner: 'billing-team@example.com', tags: { team: 'billing' } };

/** What the sandbox holds of one application: enough to tell whether anything of it changed. */
function footprint(world: SandboxWorld, name: string) {
  const { sandbox } = world;
  const ou = sandbox.ous().find((o) => o.name === `appvend-${name}`);
  const scp = sandbox.policies().find((p) => p.name === `appvend-${name}-guardrails`);
  return {
    ou,
    scp,
    attachments: sandbox.attachments().filter((a) => a.policyId === scp?.id || a.targetId === ou?.id),
    accounts: sandbox
      .accounts()
      .filter((a) => a.email.startsWith(`aws+${name}-`))
      .map(({ id, parentId, status }) => ({ id, parentId, status })),
    stackSets: sandbox
      .stackSets()
      .filter((s) => s.name.startsWith(`appvend-${name}-`))
      .map((s) => ({ name: s.name, status: s.status })),
    instances: sandbox
      .stackInstances()
      .filter((i) => i.stackSetName.startsWith(`appvend-${name}-`))
      .map((i) => `${i.stackSetName}@${i.account}:${i.status}`),
  };
}

const finished = (run: OffboardRun | 'already-offboarded'): OffboardRun => {
  if (run === 'already-offboarded') throw new Error('expected an offboarding to run');
  return run;
};

describe('Workflow: offboard on the sandbox', () => {
  let world: SandboxWorld;
  let suspendedOu: string;

  beforeEach(async () => {
    world = sandboxWorld();
    suspendedOu = await createSuspendedOu();
    delete process.env.APPVEND_CLOSURE_SHARE;
  });

  afterAll(() => {
    delete process.env.APPVEND_SUSPENDED_OU_ID;
    delete process.env.APPVEND_CLOSURE_SHARE;
  });

  it('removes the stack sets, the SCP and the OU, suspends the accounts and records OFFBOARDED', async () => {
    // Prepare
    expect((await vendThroughLedger(world, orders)).summary.status).toBe('SUCCEEDED');
    const before = footprint(world, 'orders');
    const accountIds = before.accounts.map((a) => a.id).sort();

    // Act
    const { summary } = finished(await offboard(world, 'orders'));

    // Assess
    expect(summary).toMatchObject({ application: 'orders', status: 'OFFBOARDED' });
    // The guardrails registered outside stack sets: each account's pack, recorder and channel.
    for (const id of accountIds) {
      const config = world.sandbox.configState(id);
      expect({
        id,
        recorder: config.recorder,
        channel: config.deliveryChannel,
        packs: config.conformancePacks,
      }).toEqual({
        id,
        recorder: undefined,
        channel: undefined,
        packs: [],
      });
    }
    expect(summary.guardrails?.map((g) => [g.conformancePack?.outcome, g.recorder?.outcome])).toEqual(
      accountIds.map(() => ['deleted', 'deleted']),
    );
    const after = footprint(world, 'orders');
    expect(after.instances).toEqual([]);
    expect(after.stackSets.map((s) => s.status)).toEqual(['DELETED', 'DELETED', 'DELETED', 'DELETED']);
    expect(after.scp).toBeUndefined();
    expect(after.ou).toBeUndefined();
    expect(after.accounts.map((a) => [a.id, a.parentId, a.status]).sort()).toEqual(
      accountIds.map((id) => [id, suspendedOu, 'ACTIVE']),
    );
    const record = await world.ledger.get('orders');
    expect(record?.status).toBe('OFFBOARDED');
    expect(record?.offboarding).toBeUndefined();
    expect(record?.ids?.organizationalUnit).toBe(before.ou!.id);
    expect(record?.history).toHaveLength(1);
    expect(record?.history?.[0]?.guardrails).toHaveLength(2 * accountIds.length);
    expect(record?.history?.[0]).toMatchObject({
      requestId: record!.requestId,
      stackSets: [
        // In removal order: the pipeline, which imports the artifact store's export, first.
        'appvend-orders-pipeline',
        'appvend-orders-artifact-store',
        'appvend-orders-cross-account-roles',
        'appvend-orders-guardrails',
      ],
      serviceControlPolicy: before.scp!.id,
      organizationalUnit: before.ou!.id,
      closeAccounts: false,
      closedAccounts: [],
      kept: [],
    });
    expect(Object.values(record!.history![0]!.suspendedAccounts).sort()).toEqual(accountIds);
  });

  it("deletes the pipeline connection's AWS RAM share the vend made, with the other application resources", async () => {
    // Prepare
    expect((await vendThroughLedger(world, orders)).summary.status).toBe('SUCCEEDED');
    const [share] = world.sandbox.resourceShares();
    expect(share).toMatchObject({ name: 'appvend-orders-connection', status: 'ACTIVE' });

    // Act
    const { summary } = finished(await offboard(world, 'orders'));

    // Assess
    expect(summary.status).toBe('OFFBOARDED');
    expect(summary.serviceControlPolicy?.connectionShare).toEqual({
      name: 'appvend-orders-connection',
      arn: share!.arn,
      outcome: 'deleted',
    });
    expect(world.sandbox.resourceShares().map((s) => s.status)).toEqual(['DELETED']);
  });

  it("keeps a share of the connection share's name that carries another application's tag, and says why", async () => {
    // Prepare
    const byHand = {
      ...orders,
      source: {
        ...(orders.source as Record<string, string>),
        connectionArn:
          'arn:aws:codeconnections:us-east-1:222222222222:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      },
    };
    expect((await vendThroughLedger(world, byHand)).summary.status).toBe('SUCCEEDED');
    const ram = new RAMClient({ ...world.sandbox.clientConfig(), region: 'us-east-1' });
    ram.middlewareStack.use(world.sandbox.plugin());
    await ram.send(
      new CreateResourceShareCommand({
        name: 'appvend-orders-connection',
        resourceArns: [
          'arn:aws:codeconnections:us-east-1:111111111111:connection/1f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
        ],
        tags: [{ key: 'appvend:application', value: 'billing' }],
        allowExternalPrincipals: false,
      }),
    );

    // Act
    const { summary } = finished(await offboard(world, 'orders'));

    // Assess
    expect(summary.status).toBe('OFFBOARDED');
    expect(summary.serviceControlPolicy?.connectionShare).toMatchObject({
      outcome: 'kept',
      reason: expect.stringContaining('not tagged appvend:application=orders'),
    });
    expect(world.sandbox.resourceShares().map((s) => s.status)).toEqual(['ACTIVE']);
    const record = await world.ledger.get('orders');
    expect(record?.history?.[0]?.kept).toEqual([
      {
        resource: 'AWS RAM resource share appvend-orders-connection',
        reason: expect.stringContaining('not tagged appvend:application=orders'),
      },
    ]);
  });

  it('empties the artifact and access-log buckets a pipeline filled, then deletes them with their stack', async () => {
    // Prepare: what a pipeline leaves behind: artifacts written over and over (versions), some
    // deleted (delete markers), and access logs; more than one page of S3 listing in all.
    await vendThroughLedger(world, orders);
    const tooling = (await world.ledger.get('orders'))!.ids!.accounts!.tooling!;
    const s3 = await awsClients().memberClient(S3Client, tooling);
    const artifacts = artifactBucketName('orders', tooling);
    const logs = accessLogsBucketName('orders', tooling);
    for (let i = 0; i < 1100; i += 1) {
      await s3.send(
        new PutObjectCommand({ Bucket: artifacts, Key: `appvend-orders/BuildOutpu/${i % 700}`, Body: 'zip' }),
      );
    }
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: artifacts,
        Delete: { Objects: [{ Key: 'appvend-orders/BuildOutpu/1' }, { Key: 'appvend-orders/BuildOutpu/2' }] },
      }),
    );
    for (let i = 0; i < 3; i += 1) {
      await s3.send(new PutObjectCommand({ Bucket: logs, Key: `artifacts/2026-11-29-${i}`, Body: 'log' }));
    }
    // S3 logged each of the 1,101 requests to the artifact bucket, and delivers the logs late.
    world.clock.advance(DEFAULT_LATENCY.s3LogDelivery);
    const held = Object.fromEntries(world.sandbox.buckets().map((b) => [b.name, b.versions]));
    expect(held).toEqual({ [artifacts]: 1102, [logs]: 3 + 1101 });
    const calls = world.sandbox.calls.length;

    // Act
    const { summary } = finished(await offboard(world, 'orders'));

    // Assess: emptied in the tooling account only, every version, and the buckets gone with the stack.
    expect(summary.status).toBe('OFFBOARDED');
    expect(world.sandbox.buckets()).toEqual([]);
    const s3Calls = world.sandbox.calls.slice(calls).filter((c) => c.service === 's3');
    expect(new Set(s3Calls.map((c) => c.accountId))).toEqual(new Set([tooling]));
    // Two pages of each bucket, and nothing logged while emptying: logging went off first.
    expect(s3Calls.filter((c) => c.operation === 'DeleteObjects')).toHaveLength(4);
    expect(s3Calls.find((c) => c.service === 's3')?.operation).toBe('PutBucketLogging');
    expect(footprint(world, 'orders').instances).toEqual([]);
  });

  it('empties the log bucket again when logs delivered late refill it before its stack is deleted', async () => {
    // Prepare: a pipeline run just before the offboarding, whose access log S3 delivers after the
    // removal has emptied the log bucket, while CloudFormation deletes the stack.
    await vendThroughLedger(world, orders);
    const tooling = (await world.ledger.get('orders'))!.ids!.accounts!.tooling!;
    const s3 = await awsClients().memberClient(S3Client, tooling);
    // The pipeline goes first: it imports the artifact store's export.
    const pipeline = { name: 'appvend-orders-pipeline', application: 'orders' };
    while ((await removeApplicationStackSet(awsClients(), pipeline)).state !== 'DONE') {
      world.clock.advance(DEFAULT_LATENCY.stackSetOperationOverhead + DEFAULT_LATENCY.stackInstanceDelete);
    }
    await s3.send(
      new PutObjectCommand({ Bucket: artifactBucketName('orders', tooling), Key: 'a/1', Body: 'zip' }),
    );
    const params = { name: 'appvend-orders-artifact-store', application: 'orders' };
    const removeUntilRunning = async () => {
      for (;;) {
        const removal = await removeApplicationStackSet(awsClients(), params);
        if (removal.state !== 'PREPARING') return removal;
      }
    };
    const deletion = await removeUntilRunning();
    expect(deletion).toMatchObject({ state: 'RUNNING', action: 'DELETE', retryRefilledBuckets: true });
    expect(DEFAULT_LATENCY.s3LogDelivery).toBeLessThan(
      DEFAULT_LATENCY.stackSetOperationOverhead + DEFAULT_LATENCY.stackInstanceDelete,
    );

    // Act
    world.clock.advance(DEFAULT_LATENCY.stackSetOperationOverhead + DEFAULT_LATENCY.stackInstanceDelete);
    const first = await checkStackSet(awsClients(), { template: 'artifact-store', ...deletion } as never);
    const retry = await removeUntilRunning();
    world.clock.advance(DEFAULT_LATENCY.stackSetOperationOverhead + DEFAULT_LATENCY.stackInstanceDelete);
    const second = await checkStackSet(awsClients(), { template: 'artifact-store', ...retry } as never);

    // Assess: the first deletion failed on the refilled log bucket, the second found it emptied.
    expect(first.operationStatus).toBe('BUCKET_REFILLED');
    expect(retry).toMatchObject({ state: 'RUNNING', action: 'DELETE' });
    expect(second.operationStatus).toBe('SUCCEEDED');
    const deletes = world.sandbox
      .stackSetOperations()
      .filter((o) => o.action === 'DELETE' && o.stackSetId.startsWith('appvend-orders-artifact-store:'));
    expect(deletes.map((o) => o.status)).toEqual(['FAILED', 'SUCCEEDED']);
    expect(deletes[0]?.results[0]?.reason).toContain('The bucket you tried to delete is not empty');
    expect(world.sandbox.buckets()).toEqual([]);
  });

  it('empties a bucket too large for one call over several calls of the removal, then deletes it', async () => {
    // Prepare: S3 answers 10 entries per listing, so 1,000 versions take more listings than one
    // call of the removal makes (EMPTYING_PAGES_PER_CALL).
    const clock = new VirtualClock();
    world = sandboxWorld({ clock, sandbox: new Sandbox({ clock, s3ListPageSize: 10 }) });
    await createSuspendedOu();
    await vendThroughLedger(world, orders);
    const tooling = (await world.ledger.get('orders'))!.ids!.accounts!.tooling!;
    const s3 = await awsClients().memberClient(S3Client, tooling);
    for (let i = 0; i < 1000; i += 1) {
      await s3.send(
        new PutObjectCommand({ Bucket: artifactBucketName('orders', tooling), Key: `a/${i}`, Body: 'zip' }),
      );
    }
    const steps: string[] = [];

    // Act
    const { summary } = finished(
      await offboard(world, 'orders', { progress: { step: (text) => steps.push(text) } }),
    );

    // Assess
    expect(summary.status).toBe('OFFBOARDED');
    expect(world.sandbox.buckets()).toEqual([]);
    // Each call lists at most EMPTYING_PAGES_PER_CALL pages: five calls empty the artifacts; the
    // 1,000 writes were logged, so five more empty the log bucket (one page listing the emptied
    // artifact bucket), and the eleventh empties the last 50 and starts deleting the instance.
    const emptied = steps.flatMap(
      (s) => /appvend-orders-artifact-store: emptied (\d+) object version\(s\)/.exec(s)?.[1] ?? [],
    );
    expect(emptied.map(Number)).toEqual([200, 200, 200, 200, 200, 190, 190, 190, 190, 190]);
    expect(EMPTYING_PAGES_PER_CALL).toBe(20);
  });

  it('keeps a Config recorder that records through a role other than the application’s, and says why', async () => {
    // Prepare: after the vend, an organization-wide setup took over the test account's recorder.
    await vendThroughLedger(world, orders);
    const test = (await world.ledger.get('orders'))!.ids!.accounts!.test!;
    const roleARN = `arn:aws:iam::${test}:role/aws-controltower-ConfigRecorderRole`;
    const config = await awsClients().memberClient(ConfigServiceClient, test);
    await config.send(
      new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: 'default', roleARN } }),
    );

    // Act
    const { summary } = finished(await offboard(world, 'orders'));

    // Assess
    expect(summary.status).toBe('OFFBOARDED');
    const after = world.sandbox.configState(test);
    expect(after.recorder).toMatchObject({ name: 'default', roleARN, recording: true });
    expect(after.deliveryChannel).toBeDefined();
    expect(after.conformancePacks).toEqual([]);
    const reason = `Config recorder default records through ${roleARN}, not the application's: it was there before the vend`;
    expect(summary.guardrails?.find((g) => g.id === test)).toMatchObject({
      conformancePack: { outcome: 'deleted' },
      recorder: { outcome: 'kept', reason },
    });
    const kept = (await world.ledger.get('orders'))!.history![0]!.kept;
    expect(kept).toContainEqual({ resource: `Config recorder in test ${test}`, reason });
  });

  it('waits for each instance deletion with Wait states, taking the time StackSets takes', async () => {
    // Prepare
    await vendThroughLedger(world, orders);

    // Act
    const run = finished(await offboard(world, 'orders'));

    // Assess: one operation per stack set, polled, and the stack sets removed in parallel.
    const deletes = world.sandbox.stackSetOperations().filter((o) => o.action === 'DELETE');
    expect(deletes).toHaveLength(4);
    expect(run.endedAt - run.startedAt).toBeGreaterThanOrEqual(DEFAULT_LATENCY.stackInstanceDelete);
    expect(run.endedAt - run.startedAt).toBeLessThan(10 * 60_000);
  });

  it('does nothing the second time: no mutating call, the ledger unchanged', async () => {
    // Prepare
    await vendThroughLedger(world, orders);
    await offboard(world, 'orders');
    const record = await world.ledger.get('orders');
    const calls = world.sandbox.calls.length;

    // Act
    const again = await offboard(world, 'orders');

    // Assess
    expect(again).toBe('already-offboarded');
    expect(world.sandbox.calls.slice(calls).filter((c) => c.mutating)).toEqual([]);
    expect(await world.ledger.get('orders')).toEqual(record);
  });

  it('vends an offboarded name again: a new OU, SCP and stack sets, the same accounts moved back', async () => {
    // Prepare
    await vendThroughLedger(world, orders);
    const before = footprint(world, 'orders');
    await offboard(world, 'orders');

    // Act
    const { summary } = await vendThroughLedger(world, orders);

    // Assess
    expect(summary.status).toBe('SUCCEEDED');
    const after = footprint(world, 'orders');
    expect(after.ou!.id).not.toBe(before.ou!.id);
    expect(after.accounts.map((a) => a.id).sort()).toEqual(before.accounts.map((a) => a.id).sort());
    expect(after.accounts.every((a) => a.parentId === after.ou!.id)).toBe(true);
    expect(after.instances).toHaveLength(7);
    const record = await world.ledger.get('orders');
    expect(record).toMatchObject({ status: 'SUCCEEDED', attempt: 2, history: [{ closeAccounts: false }] });
  });

  it('offboards a vend that failed halfway: removes what it made, reports the stack sets as absent', async () => {
    // Prepare: every CreateStackSet fails, so the vend stops after the accounts, quarantined.
    world.sandbox.faults.inject({
      service: 'cloudformation',
      operation: 'CreateStackSet',
      error: 'server-error',
      times: 1000,
    });
    expect((await vendThroughLedger(world, orders)).summary.status).toBe('FAILED');
    world.sandbox.faults.clear();
    const before = footprint(world, 'orders');

    // Act
    const { summary } = finished(await offboard(world, 'orders'));

    // Assess
    expect(summary.status).toBe('OFFBOARDED');
    expect(summary.stackSets.map((s) => s.outcome)).toEqual(['absent', 'absent', 'absent', 'absent']);
    const after = footprint(world, 'orders');
    expect(after).toMatchObject({ ou: undefined, scp: undefined, stackSets: [] });
    expect(after.accounts.map((a) => a.id).sort()).toEqual(before.accounts.map((a) => a.id).sort());
    expect(after.accounts.every((a) => a.parentId === suspendedOu)).toBe(true);
  });

  it("leaves another application's OU, SCP, accounts and stack sets as they were", async () => {
    // Prepare
    await vendThroughLedger(world, orders);
    await vendThroughLedger(world, billing);
    const before = footprint(world, 'billing');

    // Act
    const { summary } = finished(await offboard(world, 'orders'));

    // Assess
    expect(summary.status).toBe('OFFBOARDED');
    expect(footprint(world, 'billing')).toEqual(before);
    expect(before.instances).toHaveLength(7);
    expect((await world.ledger.get('billing'))?.status).toBe('SUCCEEDED');
  });

  it('leaves alone what lacks the application tag: an OU and an SCP someone else may own', async () => {
    // Prepare
    await vendThroughLedger(world, orders);
    const before = footprint(world, 'orders');
    const organizations = awsClients().organizations();
    for (const id of [before.ou!.id, before.scp!.id]) {
      await organizations.send(
        new UntagResourceCommand({ ResourceId: id, TagKeys: ['appvend:application'] }),
      );
    }

    // Act
    const { summary } = finished(await offboard(world, 'orders'));

    // Assess
    expect(summary.serviceControlPolicy).toMatchObject({ outcome: 'kept', detachedFrom: [] });
    expect(summary.organizationalUnit).toMatchObject({ outcome: 'kept' });
    const after = footprint(world, 'orders');
    expect(after.ou).toBeDefined();
    expect(after.scp).toBeDefined();
    expect(after.attachments).toContainEqual({ policyId: before.scp!.id, targetId: before.ou!.id });
    const kept = (await world.ledger.get('orders'))!.history![0]!.kept.map((k) => k.resource);
    expect(kept).toEqual([`SCP appvend-orders-guardrails`, `OU ${before.ou!.id}`]);
  });

  it('refuses before removing anything when the suspended OU is not configured, or does not exist', async () => {
    // Prepare
    await vendThroughLedger(world, orders);
    const before = footprint(world, 'orders');
    delete process.env.APPVEND_SUSPENDED_OU_ID;

    // Act
    const unset = finished(await offboard(world, 'orders'));
    process.env.APPVEND_SUSPENDED_OU_ID = 'ou-zzzz-zzzzzzzz';
    const missing = finished(await offboard(world, 'orders'));

    // Assess
    expect(unset.summary.status).toBe('FAILED');
    expect(unset.summary.error).toEqual({
      step: 'PrepareOffboarding',
      message: expect.stringMatching(/^APPVEND_SUSPENDED_OU_ID is not set/),
    });
    expect(missing.summary.error?.message).toBe(
      'APPVEND_SUSPENDED_OU_ID is ou-zzzz-zzzzzzzz, but there is no such OU in this organization',
    );
    expect(footprint(world, 'orders')).toEqual(before);
    const record = await world.ledger.get('orders');
    expect(record?.status).toBe('OFFBOARDING');
    expect(record?.offboarding?.error?.step).toBe('PrepareOffboarding');
    // The ledger refuses a vend of the name while it is being offboarded.
    await expect(world.ledger.submit(parseRequest(orders), OWNER)).rejects.toThrow(/is being offboarded/);
  });
});

describe('Workflow: offboard on the sandbox, closing the accounts', () => {
  afterEach(() => {
    delete process.env.APPVEND_SUSPENDED_OU_ID;
    delete process.env.APPVEND_CLOSURE_SHARE;
  });

  /**
   * An organization of 142 open member accounts once both applications are vended: 136 others that
   * stay open, plus 14 that were closed before (AWS shows them SUSPENDED), plus 3 per application.
   * Large enough that 10 % is above AWS's floor of 10. The sandbox's own quota is lifted, so that
   * appvend's check is what is tested.
   */
  async function largeOrganization(): Promise<SandboxWorld> {
    const clock = new VirtualClock();
    const world = sandboxWorld({
      clock,
      sandbox: new Sandbox({ clock, createAccountQuota: 200, closeAccountQuota: 1000 }),
    });
    const organizations = awsClients().organizations();
    for (let i = 1; i <= 150; i += 1) {
      await organizations.send(
        new CreateAccountCommand({ Email: `other-${i}@example.com`, AccountName: `other-${i}` }),
      );
    }
    clock.advance(DEFAULT_LATENCY.createAccount);
    const others = world.sandbox.accounts().filter((a) => a.email.startsWith('other-'));
    for (const account of others.slice(0, 14)) {
      await organizations.send(new CloseAccountCommand({ AccountId: account.id }));
    }
    await createSuspendedOu();
    await vendThroughLedger(world, orders);
    await vendThroughLedger(world, billing);
    return world;
  }

  it('refuses the closure over the quota, naming the numbers, and closes nothing', async () => {
    // Prepare
    const world = await largeOrganization();
    const calls = world.sandbox.calls.length;

    // Act
    const { summary } = finished(await offboard(world, 'orders', { closeAccounts: true }));

    // Assess
    expect(summary.status).toBe('FAILED');
    expect(summary.error?.step).toBe('CloseAccounts');
    expect(summary.error?.message).toMatch(
      /^closing 3 accounts would make 17 closures in 30 days; the quota is 14 \(10% of 142 member accounts, between 10 and 1000\)/,
    );
    expect(world.sandbox.calls.slice(calls).filter((c) => c.operation === 'CloseAccount')).toEqual([]);
    const accounts = footprint(world, 'orders').accounts;
    expect(
      accounts.every((a) => a.parentId === process.env.APPVEND_SUSPENDED_OU_ID && a.status === 'ACTIVE'),
    ).toBe(true);
    // Everything but the closure is done; the next offboarding without closing finishes it.
    expect(footprint(world, 'orders')).toMatchObject({ ou: undefined, scp: undefined, instances: [] });
    const record = await world.ledger.get('orders');
    expect(record?.status).toBe('OFFBOARDING');
    expect(record?.offboarding?.error?.step).toBe('CloseAccounts');
    const rest = finished(await offboard(world, 'orders'));
    expect(rest.summary.status).toBe('OFFBOARDED');
  });

  it('closes the accounts within the quota, and counts them against the next offboarding', async () => {
    // Prepare
    const world = await largeOrganization();
    process.env.APPVEND_CLOSURE_SHARE = '0.13';

    // Act
    const first = finished(await offboard(world, 'orders', { closeAccounts: true }));
    const second = finished(await offboard(world, 'billing', { closeAccounts: true }));

    // Assess
    expect(first.summary.status).toBe('OFFBOARDED');
    expect(first.summary.closure?.quota).toEqual({
      quota: 18,
      share: 0.13,
      memberAccounts: 142,
      recentClosures: 14,
    });
    const closed = first.summary.closure!.closed.map((a) => a.id).sort();
    expect(closed).toEqual(
      footprint(world, 'orders')
        .accounts.map((a) => a.id)
        .sort(),
    );
    expect(footprint(world, 'orders').accounts.every((a) => a.status !== 'ACTIVE')).toBe(true);
    const history = (await world.ledger.get('orders'))!.history![0]!;
    expect(history.closeAccounts).toBe(true);
    expect(history.closedAccounts.map((a) => a.id).sort()).toEqual(closed);
    // 14 before + 3 of orders = 17 in 30 days; 3 more would make 20, over 13% of the 139 still open.
    expect(second.summary.error?.message).toMatch(
      /^closing 3 accounts would make 20 closures in 30 days; the quota is 18 \(13% of 139 member accounts, between 10 and 1000\)/,
    );
    expect(footprint(world, 'billing').accounts.every((a) => a.status === 'ACTIVE')).toBe(true);
  });

  it('closes accounts left open by an earlier offboarding when asked again', async () => {
    // Prepare
    const world = await largeOrganization();
    process.env.APPVEND_CLOSURE_SHARE = '0.15';
    await offboard(world, 'orders');

    // Act
    const run = finished(await offboard(world, 'orders', { closeAccounts: true }));
    const again = await offboard(world, 'orders', { closeAccounts: true });

    // Assess
    expect(run.summary.status).toBe('OFFBOARDED');
    expect(run.summary.closure?.closed).toHaveLength(3);
    expect(again).toBe('already-offboarded');
    expect((await world.ledger.get('orders'))!.history).toHaveLength(2);
  });
});
