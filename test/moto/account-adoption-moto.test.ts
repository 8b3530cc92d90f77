import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { runVend } from '../../cli/vend';
import { VirtualClock } from '../../shared/clock/clock';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { openMotoWorld, type MotoOrganization } from '../support/moto-world';
import { workflowDefinition } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/** Waits (at most 10 s) until no socket to `endpoint` has been open for half a second. */
async function requestsToSettle(endpoint: string | undefined): Promise<void> {
  if (!endpoint) return;
  const port = Number(new URL(endpoint).port);
  const open = () =>
    (process as unknown as { _getActiveHandles(): unknown[] })
      ._getActiveHandles()
      .some((h) => h instanceof Socket && h.remotePort === port && !h.destroyed);
  let quiet = 0;
  for (let i = 0; i < 100 && quiet < 5; i += 1) {
    quiet = open() ? 0 : quiet + 1;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeWithMoto('Workflow: a vend touches only its own accounts, against moto server', () => {
  let moto: MotoServer;
  let org: MotoOrganization;
  let ordersOu: string;

  beforeAll(async () => {
    moto = await startMoto();
    await moto.reset();
    org = await openMotoWorld(moto.endpoint);
    const { summary } = await vend(sample);
    expect(summary.status).toBe('SUCCEEDED');
    ordersOu = summary.organizationalUnit!.id;
  }, 120_000);

  afterAll(async () => {
    // A refused vend fails its Map while the other accounts' branches may still be calling moto
    // (the local runner does not cancel a task already running): let those calls end before the
    // server and the test environment go away.
    await requestsToSettle(moto?.endpoint);
    await moto?.stop();
  });

  const organizations = () =>
    new OrganizationsClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
  function vend(request: unknown) {
    return runVend({
      input: { request },
      definition: workflowDefinition(),
      clock: new VirtualClock(Date.now()),
    });
  }
  async function emailsIn(parentId: string): Promise<string[]> {
    const { Accounts } = await organizations().send(new ListAccountsForParentCommand({ ParentId: parentId }));
    return (Accounts ?? []).map((a) => a.Email ?? '').sort();
  }

  it("refuses a request whose addresses are orders': orders' accounts stay in orders' OU", async () => {
    // Act
    const { summary } = await vend({
      ...sample,
      name: 'mallory',
      accountEmail: 'aws+orders-{stage}@example.com',
    });

    // Assess: read back from moto
    expect(summary.status).toBe('FAILED');
    expect(summary.error?.step).toBe('VendAccounts');
    expect(summary.error?.message).toMatch(/cannot be adopted: .*tagged appvend:application=orders/);
    expect(await emailsIn(ordersOu)).toEqual([
      'aws+orders-prod@example.com',
      'aws+orders-test@example.com',
      'aws+orders-tooling@example.com',
    ]);
    const { OrganizationalUnits } = await organizations().send(
      new ListOrganizationalUnitsForParentCommand({ ParentId: org.rootId }),
    );
    const malloryOu = OrganizationalUnits?.find((ou) => ou.Name === 'appvend-mallory');
    if (malloryOu?.Id) expect(await emailsIn(malloryOu.Id)).toEqual([]);
  }, 120_000);

  it('refuses a stage whose address is the management account’s, even named: it stays at the root', async () => {
    // Act
    const { summary } = await vend({
      ...sample,
      name: 'takeover',
      accountEmail: '{stage}@example.com',
      stages: ['master'],
      adopt: { master: org.managementAccountId },
    });

    // Assess
    expect(summary.status).toBe('FAILED');
    expect(summary.error?.message).toContain(
      "is the organization's management account, which is never adopted",
    );
    const { Parents } = await organizations().send(
      new ListParentsCommand({ ChildId: org.managementAccountId }),
    );
    expect(Parents?.map((p) => p.Id)).toEqual([org.rootId]);
  }, 120_000);
});
