import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { handler } from '../../services/submit-application/handler';
import { ledgerFor } from '../../shared/ledger';
import { lambdaContext, openFrontDoorWorld, type FrontDoorWorld } from '../support/front-doors';
import { describeWithMoto } from '../support/moto';

const SAMPLES = join(__dirname, '../../events/eventbridge');
const sample = (file: string) => JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as { detail: unknown };
const context = lambdaContext('appvend-submit-application');

describeWithMoto('EventBridge door: the real handler over DynamoDB and Step Functions (moto)', () => {
  let world: FrontDoorWorld;

  beforeAll(async () => {
    world = await openFrontDoorWorld();
  }, 60_000);

  afterAll(async () => {
    await world?.moto.stop();
  });

  const executions = () => world.executions();

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
