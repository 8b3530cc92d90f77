import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ownAccountClient } from '../aws/client-factory';
import { DynamoDbLedgerStore } from './dynamodb-store';
import { Ledger } from './ledger';

let configured: Ledger | undefined;

/**
 * Where the ledger lives for this process. Lambda functions use the DynamoDB table named in their
 * environment; local runs (the CLI on the sandbox) put a ledger of their own here first.
 */
export function configureLedger(ledger: Ledger | undefined): void {
  configured = ledger;
}

/** The configured ledger, or the DynamoDB table `tableName` through the current AWS settings. */
export function ledgerFor(tableName: string): Ledger {
  return configured ?? new Ledger(new DynamoDbLedgerStore(ownAccountClient(DynamoDBClient), tableName));
}
