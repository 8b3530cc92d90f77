import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { DynamoDbLedgerStore } from '../../shared/ledger/dynamodb-store';
import { ledgerContract } from '../ledger/ledger-contract';
import { createLedgerTable } from '../support/front-doors';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto, startMoto, type MotoServer } from '../support/moto';

describeWithMoto('Ledger on DynamoDB (moto server)', () => {
  let moto: MotoServer;
  let client: DynamoDBClient;

  beforeAll(async () => {
    moto = await startMoto({ isolated: true });
    client = new DynamoDBClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  let tableName = '';

  /** A table like the service's (partition key `name`), new for each test. */
  async function freshStore(): Promise<DynamoDbLedgerStore> {
    tableName = `appvend-ledger-${randomUUID()}`;
    await createLedgerTable(client, tableName);
    return new DynamoDbLedgerStore(client, tableName);
  }

  /** Line items put as they are, 25 per BatchWriteItem (its most). */
  async function loadLine(items: readonly Record<string, unknown>[]): Promise<void> {
    for (let from = 0; from < items.length; from += 25) {
      const puts = items.slice(from, from + 25).map((item) => ({ PutRequest: { Item: marshall(item) } }));
      const { UnprocessedItems } = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: puts } }),
      );
      if (Object.keys(UnprocessedItems ?? {}).length > 0) throw new Error('moto left items unprocessed');
    }
  }

  ledgerContract('the same contract as the local store', freshStore, { loadLine });

  // The ledger's one-winner guarantee is DynamoDB's: a conditional write is atomic. moto's server
  // is threaded and, run as `moto_server`, let two of eight concurrent first writes of one item
  // both succeed (2 rounds in 1,000 on a loaded machine); the tests' moto (scripts/moto-server.py)
  // answers one request at a time. This checks the server the suites use, not moto in general.
  it('lets exactly one of eight concurrent first writes of an item win, round after round', async () => {
    // Prepare
    const store = await freshStore();
    const rounds = 100;
    const winners: number[] = [];

    // Act
    for (let round = 0; round < rounds; round += 1) {
      const name = `race-${round}`;
      const writes = await Promise.all(
        Array.from({ length: 8 }, (_, writer) =>
          store.write({ name, version: 1, owner: `writer-${writer}` } as never, 0),
        ),
      );
      winners.push(writes.filter(Boolean).length);
    }

    // Assess
    expect(winners.filter((count) => count !== 1)).toEqual([]);
  }, 120_000);
});
