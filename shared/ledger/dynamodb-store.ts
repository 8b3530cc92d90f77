import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { LINE_HEAD_KEY, isLineItem, type LineWrite } from './account-line';
import type { LedgerStore } from './ledger';
import type { ApplicationRecord } from './record';

/** Items as DynamoDB stores them; an attribute whose value is undefined is left out. */
const toItem = (value: object): Record<string, AttributeValue> =>
  marshall(value, { removeUndefinedValues: true });

/**
 * The ledger in DynamoDB: one item per application, partition key `name`. Every write is a
 * conditional put on the version that was read, so two front doors racing on one name cannot
 * both win. Items are converted with `@aws-sdk/util-dynamodb` around the client's own commands,
 * rather than through `@aws-sdk/lib-dynamodb`'s document client, which does the same conversion
 * and adds its weight to every function that keeps the ledger (bench/cold-start.ts).
 */
export class DynamoDbLedgerStore implements LedgerStore {
  public constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  public async read(name: string): Promise<ApplicationRecord | undefined> {
    return (await this.readLine(name)) as ApplicationRecord | undefined;
  }

  public async write(record: ApplicationRecord, expectedVersion: number): Promise<boolean> {
    return this.put(record, expectedVersion);
  }

  /** An item of the CreateAccount line (its head, a page, an index item), by its reserved name. */
  public async readLine(name: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: toItem({ name }), ConsistentRead: true }),
    );
    return Item && unmarshall(Item);
  }

  /**
   * One TransactWriteItems: every action or none. The head's put carries the condition on its
   * version; a cancellation for that condition (or for another transaction on one of the items,
   * TransactionConflict) is a lost race, answered false. AWS's refusals of the transaction itself
   * (over 100 actions, two on one item, an item over 400 KB) are thrown.
   */
  public async writeLine(writes: readonly LineWrite[], headVersion: number): Promise<boolean> {
    const TableName = this.tableName;
    const TransactItems = writes.map((write) => {
      if ('delete' in write) return { Delete: { TableName, Key: toItem({ name: write.delete }) } };
      if (write.put.name !== LINE_HEAD_KEY) return { Put: { TableName, Item: toItem(write.put) } };
      return { Put: { TableName, Item: toItem(write.put), ...versionCondition(headVersion) } };
    });
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems }));
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
      if (codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) {
        return false;
      }
      throw error;
    }
  }

  private async put(record: { name: string; version: number }, expectedVersion: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ...versionCondition(expectedVersion),
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
    const { Items, LastEvaluatedKey } = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: options.limit,
        ...(options.cursor && { ExclusiveStartKey: toItem({ name: options.cursor }) }),
      }),
    );
    // The CreateAccount line's items share the table; they are no application.
    const items = (Items ?? [])
      .map((item) => unmarshall(item) as ApplicationRecord)
      .filter((item) => !isLineItem(item.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    const cursor = LastEvaluatedKey?.name?.S;
    return { items, ...(cursor && { cursor }) };
  }
}

/** The put's condition: the item still has the version that was read (0 = it does not exist). */
function versionCondition(expectedVersion: number): {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
} {
  return expectedVersion === 0
    ? {
        ConditionExpression: 'attribute_not_exists(#name)',
        ExpressionAttributeNames: { '#name': 'name' },
      }
    : {
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: toItem({ ':version': expectedVersion }),
      };
}
