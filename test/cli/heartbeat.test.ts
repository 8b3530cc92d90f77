import { Heartbeat, describeWait, stateShapes } from '../../cli/heartbeat';

const definition = {
  StartAt: 'Accounts',
  States: {
    Accounts: {
      Type: 'Map',
      ItemProcessor: {
        StartAt: 'WaitForAccount',
        States: {
          WaitForAccount: { Type: 'Wait', SecondsPath: '$.creation.poll.waitSeconds', Next: 'CheckAccount' },
          CheckAccount: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { Payload: { 'previous.$': '$.creation' } },
            Retry: [{ ErrorEquals: ['AccountCreationInProgressError'], IntervalSeconds: 60 }],
            Next: 'AwaitSlot',
          },
          AwaitSlot: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Next: 'Move',
          },
          Move: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:1:function:move', End: true },
        },
      },
      End: true,
    },
  },
};

describe('Class: Heartbeat', () => {
  const lines: { text: string; at: number }[] = [];
  const beat = () => {
    lines.length = 0;
    return new Heartbeat(stateShapes(definition), (text, at) => lines.push({ text, at }));
  };

  it('says what a Wait state waits for when it is entered, from the object its SecondsPath reads', () => {
    // Prepare
    const heartbeat = beat();
    const creation = {
      account: { stage: 'test' },
      state: 'IN_PROGRESS',
      requestId: 'car-1',
      poll: { attempt: 1, waitedSeconds: 120, waitSeconds: 30 },
    };

    // Act
    heartbeat.onState({ state: 'WaitForAccount', phase: 'entered', at: 0, index: 0, input: { creation } });

    // Assess
    expect(lines).toEqual([
      { text: 'account test: waiting for AWS to create it (car-1) (waited 2m00s, next look in 30s)', at: 0 },
    ]);
  });

  it('says what a check task waits for at each look its Retry makes, from the answer it is given', () => {
    // Prepare
    const heartbeat = beat();
    const creation = { account: { stage: 'prod' }, state: 'IN_PROGRESS', requestId: 'car-2' };

    // Act: the first look (no line: the Wait before it had one), then two more by the Retry
    heartbeat.onState({ state: 'CheckAccount', phase: 'entered', at: 60_000, index: 2, input: { creation } });
    heartbeat.onState({ state: 'CheckAccount', phase: 'retried', at: 120_000, index: 2 });
    heartbeat.onState({ state: 'CheckAccount', phase: 'retried', at: 210_000, index: 2 });
    heartbeat.onState({ state: 'CheckAccount', phase: 'exited', at: 210_000, index: 2 });
    heartbeat.onState({ state: 'CheckAccount', phase: 'retried', at: 300_000, index: 2 });

    // Assess
    expect(lines).toEqual([
      {
        text: 'account prod: waiting for AWS to create it (car-2) (looked again, 1m00s after the first look)',
        at: 120_000,
      },
      {
        text: 'account prod: waiting for AWS to create it (car-2) (looked again, 2m30s after the first look)',
        at: 210_000,
      },
    ]);
  });

  it('gives a state waiting for a task token a line, and one every 30 s of clock time until it exits', () => {
    // Prepare
    const heartbeat = beat();
    const input = { account: { stage: 'prod' }, state: 'QUEUED', position: 3 };

    // Act
    heartbeat.onState({ state: 'AwaitSlot', phase: 'entered', at: 0, index: 1, input });
    heartbeat.tick(10_000);
    heartbeat.tick(31_000);
    heartbeat.tick(50_000);
    heartbeat.tick(61_000);
    heartbeat.onState({ state: 'AwaitSlot', phase: 'exited', at: 62_000, index: 1 });
    heartbeat.tick(200_000);

    // Assess
    expect(lines.map((l) => [l.at, l.text])).toEqual([
      [0, 'account prod: queued behind the CreateAccount quota (position 3)'],
      [31_000, 'account prod: queued behind the CreateAccount quota (position 3) (31s so far)'],
      [61_000, 'account prod: queued behind the CreateAccount quota (position 3) (1m01s so far)'],
    ]);
    expect(heartbeat.openStates).toEqual([]);
  });

  it('on a real clock, also speaks for a Task that runs long; never for a Map itself', () => {
    // Prepare
    const heartbeat = beat();

    // Act
    heartbeat.onState({ state: 'Accounts', phase: 'entered', at: 0 });
    heartbeat.onState({ state: 'Move', phase: 'entered', at: 0, index: 0, input: {} });
    heartbeat.tick(29_000);
    heartbeat.tick(45_000);

    // Assess
    expect(lines.map((l) => l.text)).toEqual(['Move: still running (45s so far)']);
  });

  it('describes stack set operations and conformance packs', () => {
    // Act / Assess
    expect(
      describeWait('WaitPipeline', {
        template: 'pipeline',
        name: 'appvend-orders-pipeline',
        action: 'CREATE',
        operationId: 'op-1',
      }),
    ).toBe('stack set appvend-orders-pipeline: waiting for its create operation op-1');
    expect(
      describeWait('WaitForConformancePacks', {
        conformancePack: 'appvend-orders',
        accounts: { a: {}, b: {} },
      }),
    ).toBe('conformance pack appvend-orders: waiting for it to deploy in 2 account(s)');
    expect(describeWait('Other', {})).toBe('Other: waiting');
  });
});
