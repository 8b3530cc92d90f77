import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxInFlight } from '../../bench/measures';
import { localTaskTokens } from '../../cli/local-task-tokens';
import { sandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

const requestFor = (name: string): Record<string, unknown> => ({
  ...sample,
  name,
  accountEmail: `aws+${name}-{stage}@example.com`,
});

describe('Workflow: the CreateAccount line waits on task tokens', () => {
  it('a long line (42 accounts behind 5 slots) costs every execution the same transitions, in FIFO order', async () => {
    // Arrange: 14 applications of 3 accounts each at once; grants are recorded as they are sent.
    const world = sandboxWorld();
    const granted: number[] = [];
    const succeed = localTaskTokens.succeed.bind(localTaskTokens);
    const spy = jest.spyOn(localTaskTokens, 'succeed').mockImplementation(async (token, output) => {
      const answer = await succeed(token, output);
      if (answer === 'sent') granted.push((output as { ticket: number }).ticket);
      return answer;
    });
    const names = Array.from({ length: 14 }, (_, i) => `line${String(i).padStart(2, '0')}`);

    // Act
    const runs = await Promise.all(names.map((name) => world.vend(requestFor(name))));
    spy.mockRestore();

    // Assess
    expect(runs.map((r) => r.summary.error)).toEqual(names.map(() => undefined));
    const requests = world.sandbox.createAccountRequests();
    expect(requests).toHaveLength(42);
    expect(maxInFlight(requests)).toBeLessThanOrEqual(5);
    // FIFO: the line hands its slots out in ticket order, each ticket once.
    expect(granted.length).toBeGreaterThan(30);
    expect(granted).toEqual([...granted].sort((a, b) => a - b));
    expect(new Set(granted).size).toBe(granted.length);
    // Flat history: every application whose three accounts waited in line pays the same, whatever
    // waited ahead of it (the 3rd and the 14th alike)…
    const transitions = runs.map((r) => r.transitions);
    const waitedInLine = runs.filter((r) => r.transitionsByState.WaitForAccountSlot === 3);
    expect(waitedInLine.length).toBeGreaterThan(10);
    const queuedCosts = waitedInLine.map((r) => r.transitions);
    expect(Math.max(...queuedCosts) - Math.min(...queuedCosts)).toBeLessThanOrEqual(2);
    // …and pays a fixed amount more than the first, which never waited: per account the line's
    // states (its start's answer handed on by a Wait of none and the check, the Choice, the wait on
    // the token, the start again) and at most one more look, whatever the length of the line.
    expect(transitions.at(-1)!).toBeLessThanOrEqual(transitions[0]! + 3 * 6);
    for (const run of runs) {
      // One wait per queued account at most: no polling while in line.
      expect(run.transitionsByState.WaitForAccountSlot ?? 0).toBeLessThanOrEqual(3);
    }
    expect(localTaskTokens.pending).toBe(0);
  }, 300_000);
});

describe('Workflow: a token the line loses is recovered', () => {
  it('a release that crashes before SendTaskSuccess leaves a grant the sweep hands out again', async () => {
    // Arrange: three applications (9 accounts behind 5 slots); the first SendTaskSuccess crashes.
    const world = sandboxWorld();
    let crashes = 0;
    const succeed = localTaskTokens.succeed.bind(localTaskTokens);
    const spy = jest.spyOn(localTaskTokens, 'succeed').mockImplementation(async (token, output) => {
      if (crashes === 0) {
        crashes += 1;
        throw new Error('releaser crashed before SendTaskSuccess');
      }
      return succeed(token, output);
    });

    // Act
    const runs = await Promise.all(['lost1', 'lost2', 'lost3'].map((name) => world.vend(requestFor(name))));
    spy.mockRestore();

    // Assess: every vend succeeded, the crash happened, and the line still held to 5 in flight.
    expect(crashes).toBe(1);
    expect(runs.map((r) => r.summary.error)).toEqual([undefined, undefined, undefined]);
    expect(maxInFlight(world.sandbox.createAccountRequests())).toBeLessThanOrEqual(5);
  }, 120_000);

  it('answers gone for a token never issued or whose task timed out on its heartbeat, as AWS answers TaskTimedOut', async () => {
    // Arrange: a token that was never waited on (its task ended) and one that waits.
    const clock = sandboxWorld().clock;
    const live = localTaskTokens.issue();
    const waited = localTaskTokens.wait(live, { clock, heartbeatSeconds: 60 });

    // Act
    const deadAnswer = await localTaskTokens.succeed('local-task-token-never-issued', {});
    const heartbeat = await localTaskTokens.heartbeat(live);
    clock.advance(61_000);
    await expect(waited).rejects.toMatchObject({ name: 'States.HeartbeatTimeout' });
    const afterTimeout = await localTaskTokens.succeed(live, {});

    // Assess
    expect(deadAnswer).toBe('gone');
    expect(heartbeat).toBe('sent');
    expect(afterTimeout).toBe('gone');
  });
});
