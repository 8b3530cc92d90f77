import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClients } from '../../shared/aws/client-factory';
import { artifactBucketName } from '../../shared/domain/naming';
import type { FaultKind } from '../../shared/sandbox';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';
import { createSuspendedOu, offboard, vendThroughLedger } from '../support/offboard';

/** The access sample: the offboarding also removes the Identity Center assignments the vend made. */
const orders = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request-access.json'), 'utf8'),
) as Record<string, unknown>;

/** The organization once the offboarding has ended: what it removed, moved and closed. */
function endState(world: SandboxWorld) {
  const { sandbox } = world;
  return {
    ous: sandbox.ous().map((o) => o.name),
    policies: sandbox.policies().map((p) => p.name),
    attachments: sandbox.attachments().length,
    accounts: sandbox
      .accounts()
      .filter((a) => a.email.startsWith('aws+orders-'))
      .map((a) => `${a.id}:${a.parentId}:${a.status}`),
    stackSets: sandbox.stackSets().map((s) => `${s.name}:${s.status}`),
    instances: sandbox.stackInstances().length,
    buckets: sandbox.buckets().length,
    assignments: sandbox.accountAssignments().length,
    guardrails: sandbox
      .accounts()
      .filter((a) => a.email.startsWith('aws+orders-'))
      .map((a) => {
        const config = sandbox.configState(a.id);
        return `${a.id}:${config.recorder?.name ?? '-'}:${config.deliveryChannel?.name ?? '-'}:${config.conformancePacks.length}`;
      }),
  };
}

/** Every mutating call the offboarding makes. */
const OPERATIONS: [string, string][] = [
  ['sso-admin', 'DeleteAccountAssignment'],
  ['sso-admin', 'DescribeAccountAssignmentDeletionStatus'],
  ['config', 'DeleteConformancePack'],
  ['config', 'StopConfigurationRecorder'],
  ['config', 'DeleteDeliveryChannel'],
  ['config', 'DeleteConfigurationRecorder'],
  ['s3', 'DeleteObjects'],
  ['cloudformation', 'DeleteStackInstances'],
  ['cloudformation', 'DeleteStackSet'],
  ['organizations', 'DetachPolicy'],
  ['organizations', 'DeletePolicy'],
  ['organizations', 'MoveAccount'],
  ['organizations', 'DeleteOrganizationalUnit'],
  ['organizations', 'CloseAccount'],
];
const FAULTS: FaultKind[] = ['crash-after-success', 'concurrent-modification', 'throttling', 'server-error'];

describe('Workflow: offboard on the sandbox, under faults', () => {
  let reference: ReturnType<typeof endState>;

  async function offboardWith(fault?: { service: string; operation: string; error: FaultKind }) {
    const world = sandboxWorld();
    await createSuspendedOu();
    process.env.APPVEND_CLOSURE_SHARE = '1';
    await vendThroughLedger(world, orders);
    // An artifact the pipeline wrote: the artifact bucket must be emptied before its stack goes.
    const tooling = (await world.ledger.get('orders'))!.ids!.accounts!.tooling!;
    const s3 = await awsClients().memberClient(S3Client, tooling);
    await s3.send(
      new PutObjectCommand({
        Bucket: artifactBucketName('orders', tooling),
        Key: 'build/out.zip',
        Body: 'zip',
      }),
    );
    if (fault) world.sandbox.faults.inject({ ...fault, times: 2 });
    const run = await offboard(world, 'orders', { closeAccounts: true });
    return { world, run };
  }

  beforeAll(async () => {
    const { world } = await offboardWith();
    reference = endState(world);
    expect(reference.buckets).toBe(0);
    expect(reference.assignments).toBe(0);
    expect(reference.guardrails.every((g) => g.endsWith(':-:-:0'))).toBe(true);
  });

  afterAll(() => {
    delete process.env.APPVEND_SUSPENDED_OU_ID;
    delete process.env.APPVEND_CLOSURE_SHARE;
  });

  it.each(
    OPERATIONS.flatMap(([service, operation]) => FAULTS.map((error) => [service, operation, error] as const)),
  )(
    'converges when %s %s fails with %s: the same end state, every account closed and recorded',
    async (service, operation, error) => {
      // Act
      const { world, run } = await offboardWith({ service, operation, error });

      // Assess
      if (run === 'already-offboarded') throw new Error('expected an offboarding to run');
      expect(run.summary.error).toBeUndefined();
      expect(run.summary.status).toBe('OFFBOARDED');
      expect(world.sandbox.faults.pending()).toEqual([]);
      expect(endState(world)).toEqual(reference);
      const history = (await world.ledger.get('orders'))!.history![0]!;
      expect(history.closedAccounts).toHaveLength(3);
    },
  );
});
