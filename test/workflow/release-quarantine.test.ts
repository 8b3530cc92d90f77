import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListTagsForResourceCommand } from '@aws-sdk/client-organizations';
import { awsClients } from '../../shared/aws/client-factory';
import { BASELINED_TAG, QUARANTINE_POLICY_NAME } from '../../shared/domain/quarantine';
import { releaseQuarantine } from '../../shared/workflow/steps/quarantine';
import type { VendedAccount } from '../../shared/workflow/types';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/** The targets the quarantine SCP is attached to. */
const quarantined = (world: SandboxWorld): string[] => {
  const policy = world.sandbox.policies().find((p) => p.name === QUARANTINE_POLICY_NAME);
  return world.sandbox
    .attachments()
    .filter((a) => a.policyId === policy?.id)
    .map((a) => a.targetId)
    .sort();
};

describe('Step: releaseQuarantine checks the application tag’s value, which IAM cannot', () => {
  let world: SandboxWorld;
  let accounts: VendedAccount[];

  beforeEach(async () => {
    // Prepare: a vend of orders that stops before its last step, its accounts still quarantined
    world = sandboxWorld();
    world.sandbox.faults.inject({
      service: 'cloudformation',
      operation: 'CreateStackSet',
      error: 'server-error',
      times: 1000,
    });
    await world.vend(sample);
    world.sandbox.faults.clear();
    accounts = world.sandbox
      .accounts()
      .filter((a) => a.email.startsWith('aws+orders-'))
      .map((a) => ({ stage: a.email, name: a.name, email: a.email, id: a.id }));
  });

  const baselined = async (accountId: string): Promise<boolean> => {
    const { Tags } = await awsClients()
      .organizations()
      .send(new ListTagsForResourceCommand({ ResourceId: accountId }));
    return (Tags ?? []).some((tag) => tag.Key === BASELINED_TAG);
  };

  it('neither marks nor releases accounts of another application', async () => {
    // Act
    const result = await releaseQuarantine(awsClients(), { accounts, application: 'billing' });

    // Assess
    expect(accounts).toHaveLength(3);
    expect(result.released).toEqual([]);
    expect(result.kept.map((k) => k.id).sort()).toEqual(accounts.map((a) => a.id).sort());
    expect(result.kept[0]!.reason).toBe(
      'not tagged appvend:application=billing: not made by appvend for this application, left alone',
    );
    expect(quarantined(world)).toEqual(accounts.map((a) => a.id).sort());
    expect(await Promise.all(accounts.map((a) => baselined(a.id)))).toEqual([false, false, false]);
  });

  it('marks and releases the accounts of its own application', async () => {
    // Act
    const result = await releaseQuarantine(awsClients(), { accounts, application: 'orders' });

    // Assess
    expect(result.released.sort()).toEqual(accounts.map((a) => a.id).sort());
    expect(result.kept).toEqual([]);
    expect(quarantined(world)).toEqual([]);
    expect(await Promise.all(accounts.map((a) => baselined(a.id)))).toEqual([true, true, true]);
  });
});
