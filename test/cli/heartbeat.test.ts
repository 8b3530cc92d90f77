import { Heartbeat, describeWait, stateShapes } from '../../cli/heartbeat';

const definition = {
  StartAt: 'Accounts',
  States: {
    Accounts: {
      Type: 'Map',
      ItemProcessor: {
        StartAt: 'WaitForAccount',
        States: {
          WaitForAccount: { Type: 'Wait', SecondsPath: '$.creation.poll.waitSeconds', Next: 'AwaitSlot' },
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
