import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  ListExecutionsCommand,
  SFNClient,
  type ExecutionListItem,
} from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { ensureServiceResources } from '../../cli/service-resources';
import { configureAws } from '../../shared/aws/client-factory';
import { configureLedger } from '../../shared/ledger';
import { LEDGER_KEY } from '../../shared/ledger/record';
import { MOTO_CREDENTIALS, MOTO_REGION, startMoto, type MotoServer } from './moto';

/** The Lambda context a front-door handler is invoked with (what Powertools reads of it). */
export function lambdaContext(functionName: string): Context {
  return {
    functionName,
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    functionVersion: '$LATEST',
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;
}

/** A ledger table shaped like the service's (partition key `name`). */
export async function createLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: LEDGER_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: LEDGER_KEY, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

export interface FrontDoorWorld {
  moto: MotoServer;
  sfn: SFNClient;
  stateMachineArn: string;
  /** The executions the doors started (moto records them; it does not run them). */
  executions(): Promise<ExecutionListItem[]>;
}

/**
 * What a front door meets once the service is deployed, on a private moto server: the ledger
 * table, the bus, the topic and a state machine to start, with the handlers' environment set.
 */
export async function openFrontDoorWorld(ledgerTable = 'appvend-ledger'): Promise<FrontDoorWorld> {
  const moto = await startMoto({ isolated: true });
  const client = { region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
  configureAws(client);
  configureLedger(undefined);
  await ensureServiceResources({ ledgerTable, eventBus: 'appvend', topicName: 'appvend-notifications' });
  const sfn = new SFNClient(client);
  const { stateMachineArn } = (await sfn.send(
    new CreateStateMachineCommand({
      name: 'appvend-vend',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      roleArn: 'arn:aws:iam::123456789012:role/appvend-vend',
    }),
  )) as { stateMachineArn: string };
  process.env.APPVEND_LEDGER_TABLE = ledgerTable;
  process.env.APPVEND_STATE_MACHINE_ARN = stateMachineArn;
  // The portal's dry run plans with the settings the vend's steps use (the guardrails' topic).
  process.env.APPVEND_NOTIFICATION_TOPIC_ARN = `arn:aws:sns:${MOTO_REGION}:123456789012:appvend-security-notifications`;
  return {
    moto,
    sfn,
    stateMachineArn,
    executions: async () => (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [],
  };
}
