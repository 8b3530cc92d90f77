import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_QUEUE_KEY, type AccountQueue } from './account-queue';
import type { LedgerStore } from './ledger';
import type { ApplicationRecord } from './record';

/**
 * The ledger in DynamoDB: one item per application, partition key `name`. Every write is a
 * conditional put on the version that was read, so two front doors racing on one name cannot
 * both win.
 */
export class DynamoDbLedgerStore implements LedgerStore {
  private readonly documents: DynamoDBDocumentClient;

  public constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  public async read(name: string): Promise<ApplicationRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { name }, ConsistentRead: true }),
    );
    return Item as ApplicationRecord | undefined;
  }

  public async write(record: ApplicationRecord, expectedVersion: number): Promise<boolean> {
    return this.put(record, expectedVersion);
  }

  /** The CreateAccount line: one more item of the table, under its reserved name. */
  public async readQueue(): Promise<AccountQueue | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { name: ACCOUNT_QUEUE_KEY }, ConsistentRead: true }),
    );
    return Item as AccountQueue | undefined;
  }

  public async writeQueue(queue: AccountQueue, expectedVersion: number): Promise<boolean> {
    return this.put(queue, expectedVersion);
  }

  private async put(record: { name: string; version: number }, expectedVersion: number): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ...(expectedVersion === 0
            ? {
                ConditionExpression: 'attribute_not_exists(#name)',
                ExpressionAttributeNames: { '#name': 'name' },
              }
            : {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': expectedVersion },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** A page of applications (a Scan: the table holds one small item per application). */
  public async list(options: { limit: number; cursor?: string }) {
    const { Items, LastEvaluatedKey } = await this.documents.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: options.limit,
        ...(options.cursor && { ExclusiveStartKey: { name: options.cursor } }),
      }),
    );
    // The CreateAccount line shares the table; it is no application.
    const items = ((Items ?? []) as ApplicationRecord[])
      .filter((item) => item.name !== ACCOUNT_QUEUE_KEY)
      .sort((a, b) => a.name.localeCompare(b.name));
    const cursor = LastEvaluatedKey?.name as string | undefined;
    return { items, ...(cursor && { cursor }) };
  }
}
