import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { handler } from '../../services/submit-application/handler';
import { ledgerFor } from '../../shared/ledger';
import { lambdaContext, openFrontDoorWorld, type FrontDoorWorld } from '../support/front-doors';
import { describeWithMoto } from '../support/moto';

const SAMPLES = join(__dirname, '../../events/eventbridge');
type Event = { detail: Record<string, unknown>; account: string; source: string; 'detail-type': string };
const sample = (file: string) => JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as Event;
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

  it('refuses an event from another account for the name, logging it and changing nothing', async () => {
    // Prepare
    const before = await ledgerFor('appvend-ledger').get('orders');
    const event = sample('application-requested.json');
    const attack = {
      ...event,
      account: '444444444444',
      detail: {
        ...event.detail,
        profile: 'serverless',
        source: { ...(event.detail.source as object), repository: 'example-org/fork' },
      },
    };

    // Act
    const answer = await handler(attack, context);

    // Assess
    expect(answer).toMatchObject({ outcome: 'conflict', reason: 'not-owner' });
    expect((answer as { message: string }).message).toContain(
      'arn:aws:iam::444444444444:root does not own application "orders"',
    );
    expect(await ledgerFor('appvend-ledger').get('orders')).toEqual(before);
    expect(await executions()).toHaveLength(1);
  });

  it('lets the owning account change its application once the vend has ended', async () => {
    // Prepare
    const ledger = ledgerFor('appvend-ledger');
    const record = (await ledger.get('orders'))!;
    await ledger.recordOutcome('orders', record.requestId, {
      application: 'orders',
      status: 'SUCCEEDED',
      accounts: {},
      stackSets: [],
    });
    const event = sample('application-requested.json');

    // Act
    const answer = await handler({ ...event, detail: { ...event.detail, stages: ['prod'] } }, context);

    // Assess
    expect(answer).toMatchObject({ outcome: 'started' });
    expect((await ledger.get('orders'))?.principals).toEqual(['arn:aws:iam::111111111111:root']);
    expect(await executions()).toHaveLength(2);
  });

  it.each([
    ['another source', { source: 'payments' }],
    ['another detail-type', { 'detail-type': 'Application Vended' }],
    ['no account', { account: undefined }],
  ])('rejects an event with %s, recording and starting nothing', async (_what, change) => {
    // Prepare
    const before = (await executions()).length;
    const event = sample('application-requested.json');

    // Act
    const answer = await handler(
      { ...event, ...change, detail: { ...event.detail, name: 'rejected' } },
      context,
    );

    // Assess
    expect(answer).toMatchObject({ outcome: 'rejected' });
    expect(await ledgerFor('appvend-ledger').get('rejected')).toBeUndefined();
    expect(await executions()).toHaveLength(before);
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
