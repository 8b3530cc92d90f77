import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

  /** A table like the service's (partition key `name`), new for each test. */
  async function freshStore(): Promise<DynamoDbLedgerStore> {
    const tableName = `appvend-ledger-${randomUUID()}`;
    await createLedgerTable(client, tableName);
    return new DynamoDbLedgerStore(client, tableName);
  }

  ledgerContract('the same contract as the local store', freshStore);
});
