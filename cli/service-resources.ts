import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { managementClient } from '../shared/aws/client-factory';
import { LEDGER_KEY } from '../shared/ledger/record';

/**
 * On an emulator (`--endpoint`), what the deployed service stack would provide: the ledger table,
 * the event bus and the notifications topic, created when missing. Never used against real AWS,
 * where `npx cdk deploy` owns them.
 */
export async function ensureServiceResources(names: {
  ledgerTable: string;
  eventBus: string;
  topicName: string;
}): Promise<{ topicArn: string }> {
  const dynamo = managementClient(DynamoDBClient);
  const events = managementClient(EventBridgeClient);
  const sns = managementClient(SNSClient);
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: names.ledgerTable,
        AttributeDefinitions: [{ AttributeName: LEDGER_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: LEDGER_KEY, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  try {
    await events.send(new CreateEventBusCommand({ Name: names.eventBus }));
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
  // CreateTopic is idempotent: it returns the existing topic's ARN.
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: names.topicName }));
  if (!TopicArn) throw new Error(`CreateTopic ${names.topicName} returned no ARN`);
  return { topicArn: TopicArn };
}
