import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureServiceResources } from '../../cli/service-resources';
import { handler } from '../../services/submit-application/handler';
import { configureAws } from '../../shared/aws/client-factory';
import { configureLedger, ledgerFor } from '../../shared/ledger';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto, startMoto, type MotoServer } from '../support/moto';

const SAMPLES = join(__dirname, '../../events/eventbridge');
const sample = (file: string) => JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as { detail: unknown };
const context = {
  functionName: 'appvend-submit-application',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:appvend-submit-application',
  memoryLimitInMB: '256',
  functionVersion: '$LATEST',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

describeWithMoto('EventBridge door: the real handler over DynamoDB and Step Functions (moto)', () => {
  let moto: MotoServer;
  let sfn: SFNClient;
  let stateMachineArn: string;

  beforeAll(async () => {
    moto = await startMoto({ isolated: true });
    const client = { region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    configureAws(client);
    configureLedger(undefined);
    await ensureServiceResources({
      ledgerTable: 'appvend-ledger',
      eventBus: 'appvend',
      topicName: 'appvend-notifications',
    });
    sfn = new SFNClient(client);
    ({ stateMachineArn } = (await sfn.send(
      new CreateStateMachineCommand({
        name: 'appvend-vend',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
        roleArn: 'arn:aws:iam::123456789012:role/appvend-vend',
      }),
    )) as { stateMachineArn: string });
    process.env.APPVEND_LEDGER_TABLE = 'appvend-ledger';
    process.env.APPVEND_STATE_MACHINE_ARN = stateMachineArn;
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  const executions = async () =>
    (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];

  it('starts one vend for the sample event delivered three times at once and once more later', async () => {
    // Act
    const answers = await Promise.all(
      [1, 2, 3].map(() => handler(sample('application-requested.json'), context)),
    );
    const later = await handler(sample('application-requested.json'), context);

    // Assess
    expect(answers.filter((a) => a.outcome === 'started')).toHaveLength(1);
    expect(later).toMatchObject({ outcome: 'existing', status: 'IN_PROGRESS' });
    const started = await executions();
    expect(started).toHaveLength(1);
    const record = await ledgerFor('appvend-ledger').get('orders');
    expect(record).toMatchObject({ status: 'IN_PROGRESS', executionArn: started[0]!.executionArn });
    expect(started[0]!.name).toBe(record!.executionName);
  });

  it.each(readdirSync(SAMPLES).filter((f) => f.startsWith('invalid-')))(
    'answers %s with the field problems, starting and recording nothing',
    async (file) => {
      // Prepare
      const before = (await executions()).length;
      const items = (await ledgerFor('appvend-ledger').list()).items.length;

      // Act
      const answer = await handler(sample(file), context);

      // Assess
      expect(answer.outcome).toBe('invalid');
      const problems = (answer as { problems: { field: string }[] }).problems;
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => p.field !== '')).toBe(true);
      expect(await executions()).toHaveLength(before);
      expect((await ledgerFor('appvend-ledger').list()).items).toHaveLength(items);
    },
  );
});
