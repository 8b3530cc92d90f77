import {
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  EnableSharingWithAwsOrganizationCommand,
  GetResourceShareAssociationsCommand,
  GetResourceSharesCommand,
  RAMClient,
} from '@aws-sdk/client-ram';
import { VirtualClock } from '../../shared/clock/clock';
import { Sandbox } from '../../shared/sandbox';

const MANAGEMENT = '111111111111';
const CONNECTION = `arn:aws:codeconnections:us-east-1:${MANAGEMENT}:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;

function ramIn(sandbox: Sandbox, region = 'us-east-1'): RAMClient {
  const client = new RAMClient({ ...sandbox.clientConfig(), region, maxAttempts: 1 });
  client.middlewareStack.use(sandbox.plugin());
  return client;
}

describe('Sandbox: AWS RAM resource shares', () => {
  let sandbox: Sandbox;
  let ram: RAMClient;
  const member = '200000000001';

  beforeEach(() => {
    sandbox = new Sandbox({ clock: new VirtualClock() });
    ram = ramIn(sandbox);
  });

  const share = (overrides: Partial<ConstructorParameters<typeof CreateResourceShareCommand>[0]> = {}) =>
    new CreateResourceShareCommand({
      name: 'appvend-orders-connection',
      resourceArns: [CONNECTION],
      allowExternalPrincipals: false,
      ...overrides,
    });

  it('creates a share of a connection from us-east-1 and finds it by name, owner SELF and status', async () => {
    // Act
    const { resourceShare } = await ram.send(
      share({ tags: [{ key: 'appvend:application', value: 'orders' }] }),
    );
    const found = await ram.send(
      new GetResourceSharesCommand({
        resourceOwner: 'SELF',
        name: 'appvend-orders-connection',
        resourceShareStatus: 'ACTIVE',
      }),
    );

    // Assess
    expect(resourceShare).toMatchObject({
      name: 'appvend-orders-connection',
      owningAccountId: MANAGEMENT,
      status: 'ACTIVE',
    });
    expect(found.resourceShares?.map((s) => [s.resourceShareArn, s.tags])).toEqual([
      [resourceShare?.resourceShareArn, [{ key: 'appvend:application', value: 'orders' }]],
    ]);
  });

  it('refuses a share of a global resource (a connection) from another Region than us-east-1', async () => {
    // Act
    const error = await ramIn(sandbox, 'eu-west-1')
      .send(share())
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'InvalidParameterException' });
    expect(sandbox.resourceShares()).toEqual([]);
  });

  it('refuses an OU principal until sharing within the organization is enabled, then accepts it', async () => {
    // Prepare
    const ouArn = `arn:aws:organizations::${MANAGEMENT}:ou/${sandbox.organization().Id}/ou-abcd-12345678`;

    // Act
    const refused = await ram.send(share({ principals: [ouArn] })).catch((e: unknown) => e);
    await ram.send(new EnableSharingWithAwsOrganizationCommand({}));
    const accepted = await ram.send(share({ principals: [ouArn] }));

    // Assess
    expect(refused).toMatchObject({ name: 'OperationNotPermittedException' });
    expect(accepted.resourceShare?.status).toBe('ACTIVE');
  });

  it('refuses an account outside the organization when the share allows no external principals', async () => {
    // Act
    const error = await ram.send(share({ principals: ['999999999999'] })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'OperationNotPermittedException' });
  });

  it("refuses a resource the caller does not own (another account's connection)", async () => {
    // Act
    const error = await ram
      .send(share({ resourceArns: [CONNECTION.replace(MANAGEMENT, '222222222222')] }))
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'UnknownResourceException' });
  });

  it('answers a clientToken used again with the same parameters with the same share, and refuses it with others', async () => {
    // Act
    const first = await ram.send(share({ clientToken: 'token-1' }));
    const again = await ram.send(share({ clientToken: 'token-1' }));
    const mismatch = await ram
      .send(share({ clientToken: 'token-1', name: 'other' }))
      .catch((e: unknown) => e);

    // Assess
    expect(again.resourceShare?.resourceShareArn).toBe(first.resourceShare?.resourceShareArn);
    expect(mismatch).toMatchObject({ name: 'IdempotentParameterMismatchException' });
    expect(sandbox.resourceShares()).toHaveLength(1);
  });

  it('associates a principal, lists the associations, deletes the share; a deleted share is unknown', async () => {
    // Prepare
    const { resourceShare } = await ram.send(share());
    const arn = resourceShare!.resourceShareArn!;
    // An account of the organization to share with (a fresh organization has only the management account).
    const state = sandbox.toJSON();
    state.accounts[member] = {
      ...state.accounts[MANAGEMENT]!,
      id: member,
      name: 'member',
      email: 'm@example.com',
    };
    const withMember = new Sandbox({ clock: new VirtualClock(), state });
    const client = ramIn(withMember);

    // Act
    await client.send(new AssociateResourceShareCommand({ resourceShareArn: arn, principals: [member] }));
    const associations = await client.send(
      new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [arn] }),
    );
    await client.send(new DeleteResourceShareCommand({ resourceShareArn: arn }));
    const again = await client
      .send(new DeleteResourceShareCommand({ resourceShareArn: arn }))
      .catch((e: unknown) => e);

    // Assess
    expect(associations.resourceShareAssociations?.map((a) => [a.associatedEntity, a.status])).toEqual([
      [member, 'ASSOCIATED'],
    ]);
    expect(withMember.resourceShares().map((s) => s.status)).toEqual(['DELETED']);
    expect(again).toMatchObject({ name: 'UnknownResourceException' });
  });
});
