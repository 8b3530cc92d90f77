import { AccountClient } from '@aws-sdk/client-account';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { VirtualClock } from '../../shared/clock/clock';
import { parseRequest } from '../../shared/request/validate';
import { DEFAULT_LATENCY, Sandbox } from '../../shared/sandbox';
import { grantAccess, type AccessClients } from '../../shared/workflow/steps/access';

const request = parseRequest({
  name: 'orders',
  owner: 'team@example.com',
  accountEmail: 'aws+{name}-{stage}@example.com',
  stages: ['test'],
  source: {
    connectionArn:
      'arn:aws:codeconnections:us-east-1:111111111111:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    repository: 'acme/orders',
  },
  access: [{ group: 'orders-developers', permissionSet: 'AppvendDeveloper', stages: ['test'] }],
});

describe('Step: grantAccess', () => {
  let clock: VirtualClock;
  let clients: AccessClients;

  beforeEach(() => {
    clock = new VirtualClock();
    const sandbox = new Sandbox({ clock });
    sandbox.setUpSampleIdentityCenter();
    const config = { ...sandbox.clientConfig(), maxAttempts: 1 };
    clients = {
      sso: new SSOAdminClient(config),
      store: new IdentitystoreClient(config),
      account: new AccountClient(config),
    };
    for (const client of Object.values(clients)) client.middlewareStack.use(sandbox.plugin());
  });

  it('fails with AWS’s reason when an assignment request ends FAILED (an account that is not in the organization)', async () => {
    // Arrange: an account id the organization does not have
    const accounts = [{ stage: 'test', name: 'orders-test', email: 'x@example.com', id: '999999999999' }];
    const first = await grantAccess(clients, { request, accounts });
    clock.advance(DEFAULT_LATENCY.accountAssignment);

    // Act
    const error = await grantAccess(clients, { request, accounts, previous: first }).catch((e: unknown) => e);

    // Assess
    expect(first).toMatchObject({ state: 'IN_PROGRESS', poll: { waitSeconds: 15 } });
    expect(first.grants).toEqual([
      expect.objectContaining({ outcome: 'creating', accountId: '999999999999' }),
    ]);
    expect(error).toMatchObject({
      name: 'AccountAssignmentFailedError',
      message: expect.stringContaining('999999999999 is not an active account of the organization'),
    });
  });

  it('asks again while the creation runs, without starting a second one', async () => {
    // Arrange
    const accounts = [{ stage: 'test', name: 'orders-test', email: 'x@example.com', id: '999999999999' }];
    const first = await grantAccess(clients, { request, accounts });

    // Act: looked at again before the request ends
    const second = await grantAccess(clients, { request, accounts, previous: first });

    // Assess
    expect(second.state).toBe('IN_PROGRESS');
    expect(second.grants[0]?.requestId).toBe(first.grants[0]?.requestId);
    expect(second.poll!.attempt).toBe(2);
  });
});
