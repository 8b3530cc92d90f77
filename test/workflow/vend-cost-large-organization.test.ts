import {
  CreatePolicyCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../../shared/clock/clock';
import { QUARANTINE_POLICY_NAME, QUARANTINE_POLICY_ROOT_TAG } from '../../shared/domain/quarantine';
import { Sandbox } from '../../shared/sandbox';
import { addMemberAccounts } from '../../shared/sandbox/seed';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/** What grows with the organization: a page of ListAccounts per 20 accounts, of ListPolicies per 20 SCPs. */
const GROWING = ['ListAccounts', 'ListPolicies'];

/** 3,000 accounts and 300 other applications' SCPs, as an organization with many applications has. */
async function crowdedOrganization(): Promise<SandboxWorld> {
  const clock = new VirtualClock();
  const state = new Sandbox({ clock }).toJSON();
  addMemberAccounts(state, 3000);
  const world = sandboxWorld({ sandbox: new Sandbox({ clock, state }), clock });
  const client = new OrganizationsClient({ ...world.sandbox.clientConfig(), maxAttempts: 1 });
  client.middlewareStack.use(world.sandbox.plugin());
  for (let n = 0; n < 300; n++) {
    await client.send(
      new CreatePolicyCommand({
        Name: `appvend-other-${n}`,
        Description: '',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'ec2:*', Resource: '*' }],
        }),
      }),
    );
  }
  return world;
}

const callsOf = (world: SandboxWorld, from: number) =>
  world.sandbox.calls.slice(from).filter((c) => GROWING.includes(c.operation));

describe('Workflow: what a vend reads does not grow with the organization', () => {
  let world: SandboxWorld;
  let firstFrom: number;
  let secondFrom: number;
  let first: Awaited<ReturnType<SandboxWorld['vend']>>;
  let second: Awaited<ReturnType<SandboxWorld['vend']>>;

  beforeAll(async () => {
    // Prepare
    world = await crowdedOrganization();

    // Act: a first application (the quarantine SCP is made), then a second one
    firstFrom = world.sandbox.calls.length;
    first = await world.vend(sample);
    secondFrom = world.sandbox.calls.length;
    second = await world.vend({ ...sample, name: 'billing', owner: 'billing-team@example.com' });
  }, 120_000);

  it('vends both applications', () => {
    // Assess
    expect([first.summary.status, second.summary.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  it('reads neither every account nor every SCP of the organization once the quarantine SCP exists', () => {
    // Assess
    expect(callsOf(world, secondFrom).map((c) => c.operation)).toEqual([]);
  });

  it('reads every SCP only while the first vend makes the quarantine SCP, and never every account', () => {
    // Assess: the accounts are moved at once; the two that lose the race to create the quarantine
    // SCP (DuplicatePolicyException) search for it by name, before the root records its id.
    const calls = callsOf(world, firstFrom).map((c) => c.operation);
    expect(calls).not.toContain('ListAccounts');
    const pagesOfPolicies = Math.ceil((300 + 3) / 20);
    expect(calls.length).toBeLessThanOrEqual(2 * pagesOfPolicies);
  });

  it("records the quarantine SCP's id on the root, where the second vend found it", async () => {
    // Prepare
    const client = new OrganizationsClient({ ...world.sandbox.clientConfig(), maxAttempts: 1 });
    client.middlewareStack.use(world.sandbox.plugin());
    const rootId = world.sandbox.organization().RootId!;

    // Act
    const { Tags } = await client.send(new ListTagsForResourceCommand({ ResourceId: rootId }));

    // Assess
    const recorded = Tags?.find((t) => t.Key === QUARANTINE_POLICY_ROOT_TAG)?.Value;
    const quarantine = world.sandbox.policies().find((p) => p.name === QUARANTINE_POLICY_NAME);
    expect(recorded).toBe(quarantine?.id);
    const secondCreates = world.sandbox.calls.slice(secondFrom).filter((c) => c.operation === 'CreatePolicy');
    expect(secondCreates).toHaveLength(1); // billing's own SCP, not the quarantine's
  });
});
