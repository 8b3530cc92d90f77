import { CreateAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { searchAccountByEmail, type AccountSearchCursor } from '../../shared/aws/organizations/accounts';
import {
  MOTO_CREDENTIALS,
  MOTO_REGION,
  bootstrapOrganization,
  describeWithMoto,
  startMoto,
  type MotoServer,
} from '../support/moto';

const MEMBERS = 45;

describeWithMoto('Function: searchAccountByEmail, against moto server', () => {
  let moto: MotoServer;
  let client: OrganizationsClient;

  beforeAll(async () => {
    // Prepare: the management account and 45 members, three pages of 20
    moto = await startMoto({ isolated: true });
    await bootstrapOrganization(moto.endpoint);
    client = new OrganizationsClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    for (let i = 1; i <= MEMBERS; i++) {
      await client.send(
        new CreateAccountCommand({ AccountName: `member-${i}`, Email: `member-${i}@example.com` }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it('stops at its page budget with moto’s NextToken, and goes on from it to the last page', async () => {
    // Act
    const first = await searchAccountByEmail(client, `member-${MEMBERS}@example.com`, { pageBudget: 1 });
    const from = (first as { cursor: AccountSearchCursor }).cursor;
    const second = await searchAccountByEmail(client, `member-${MEMBERS}@example.com`, {
      pageBudget: 5,
      from,
    });

    // Assess
    expect(first).toEqual({ state: 'SEARCHING', cursor: { nextToken: expect.any(String), pagesRead: 1 } });
    expect(second).toMatchObject({ state: 'FOUND', account: { Email: `member-${MEMBERS}@example.com` } });
  });

  it('answers ABSENT after the last page', async () => {
    // Act
    const result = await searchAccountByEmail(client, 'nobody@example.com', { pageBudget: 10 });

    // Assess
    expect(result).toEqual({ state: 'ABSENT', pagesRead: Math.ceil((MEMBERS + 1) / 20) });
  });
});
