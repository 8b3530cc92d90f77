import type { StateEvent } from './local-runner';
import { formatDuration } from './format';
import {
  ACCOUNT_CREATION_LOOKS,
  CONFORMANCE_PACK_LOOKS,
  STACK_SET_OPERATION_LOOKS,
} from '../shared/domain/polling';

/** The errors with which a check task says "still running": its Retry is the wait between looks. */
const LOOK_ERRORS: ReadonlySet<string> = new Set(
  [ACCOUNT_CREATION_LOOKS, STACK_SET_OPERATION_LOOKS, CONFORMANCE_PACK_LOOKS].map((look) => look.error),
);

/**
 * The "still waiting" lines of a run: keyed on states entered and not yet exited, so a Wait state,
 * a Task that waits for a task token, or any state that takes long each get one. A waiting state
 * (a Wait, or a Task whose resource waits for a task token) gets a line when it is entered (on the
 * sandbox's virtual clock the wait passes in one jump: that line is its heartbeat); on a real
 * clock `tick` (every few seconds, from a timer) adds one for every open state whose last line is
 * `everyMs` old, so a terminal on `--aws` never stays silent for more than 30 s of AWS time.
 */

type StateDef = Record<string, unknown> & { Type: string };
type MachineDef = { States: Record<string, StateDef> };

export interface StateShape {
  /** A Wait, or a Task that waits for a task token: entering it starts a wait. */
  waits: boolean;
  /** Map and Parallel: their own iterations and branches say what they wait for. */
  container: boolean;
  /** A check task whose Retry looks again at a running operation: each retry is a look. */
  looks?: boolean;
  /** Where in the state's input the object it waits on is (from a Wait's SecondsPath). */
  subjectPath?: string[];
}

/** What each state of a definition is, for the heartbeat; nested states included. */
export function stateShapes(definition: Record<string, unknown>): Map<string, StateShape> {
  const shapes = new Map<string, StateShape>();
  const visit = (machine: MachineDef) => {
    for (const [name, state] of Object.entries(machine.States)) {
      const secondsPath = typeof state.SecondsPath === 'string' ? state.SecondsPath : undefined;
      const taskToken = state.Type === 'Task' && String(state.Resource).endsWith('.waitForTaskToken');
      const retries = (state.Retry as { ErrorEquals: string[] }[] | undefined) ?? [];
      const looks = retries.some((r) => r.ErrorEquals.some((e) => LOOK_ERRORS.has(e)));
      // A check task is given the answer it looks at as `previous` (infra/workflow/tasks.ts).
      const payload = (state.Parameters as { Payload?: Record<string, unknown> } | undefined)?.Payload;
      const previousPath = typeof payload?.['previous.$'] === 'string' ? payload['previous.$'] : undefined;
      shapes.set(name, {
        waits: state.Type === 'Wait' || taskToken,
        container: state.Type === 'Map' || state.Type === 'Parallel',
        ...(looks && { looks: true }),
        ...(looks &&
          previousPath && {
            subjectPath: previousPath
              .replace(/^\$\.?/, '')
              .split('.')
              .filter(Boolean),
          }),
        // `$.deployed.pipeline.poll.waitSeconds` → the deployment at `$.deployed.pipeline`.
        ...(secondsPath && {
          subjectPath: secondsPath
            .replace(/^\$\.?/, '')
            .split('.')
            .filter(Boolean)
            .slice(0, -2),
        }),
      });
      const processor = (state.ItemProcessor ?? state.Iterator) as MachineDef | undefined;
      if (processor) visit(processor);
      for (const branch of (state.Branches as MachineDef[] | undefined) ?? []) visit(branch);
    }
  };
  visit(definition as unknown as MachineDef);
  return shapes;
}

const at = (value: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((v, key) => (v as Record<string, unknown> | null | undefined)?.[key], value);

/** A position in the CreateAccount queue, when the step's output tells it. */
function positionOf(value: Record<string, unknown>): number | undefined {
  const direct = value.position ?? (value.queue as Record<string, unknown> | undefined)?.position;
  return typeof direct === 'number' ? direct : undefined;
}

/** What a waiting state waits for, in words, from the object it waits on. */
export function describeWait(state: string, subject: unknown): string {
  const value = (subject ?? {}) as Record<string, unknown>;
  const creation = (value.creation ?? value) as Record<string, unknown>;
  const account = creation.account as { stage?: string } | undefined;
  if (account?.stage) {
    const stage = `account ${account.stage}`;
    if (creation.state === 'QUEUED') {
      const position = positionOf(creation);
      return `${stage}: queued behind the CreateAccount quota${position !== undefined ? ` (position ${position})` : ''}`;
    }
    if (creation.state === 'SEARCHING') return `${stage}: looking for its address among the accounts`;
    return `${stage}: waiting for AWS to create it${creation.requestId ? ` (${String(creation.requestId)})` : ''}`;
  }
  if (typeof value.operationId === 'string' || typeof value.template === 'string') {
    const action = typeof value.action === 'string' ? `${value.action.toLowerCase()} ` : '';
    return `stack set ${String(value.name ?? value.template)}: waiting for its ${action}operation${
      value.operationId ? ` ${String(value.operationId)}` : ''
    }`;
  }
  if (typeof value.conformancePack === 'string') {
    const accounts = Object.keys((value.accounts as object | undefined) ?? {}).length;
    return `conformance pack ${value.conformancePack}: waiting for it to deploy${accounts ? ` in ${accounts} account(s)` : ''}`;
  }
  return `${state}: waiting`;
}

interface Open {
  state: string;
  since: number;
  lastLine: number;
  text: string;
  waits: boolean;
}

export class Heartbeat {
  private readonly open = new Map<string, Open>();

  public constructor(
    private readonly shapes: Map<string, StateShape>,
    private readonly write: (text: string, at: number) => void,
    private readonly everyMs = 30_000,
  ) {}

  /** Follows one state event of the run. */
  public onState(event: StateEvent): void {
    const key = `${event.state}#${event.index ?? ''}`;
    const shape = this.shapes.get(event.state);
    if (event.phase === 'exited' || event.phase === 'caught') {
      this.open.delete(key);
      return;
    }
    // A look that found the operation still running (or a transient error): the check's Retry
    // waits before the next, so it is a waiting line too.
    const looking = this.open.get(key);
    if (event.phase === 'retried' && shape?.looks && looking) {
      looking.lastLine = event.at;
      this.write(
        `${looking.text} (looked again, ${formatDuration(event.at - looking.since)} after the first look)`,
        event.at,
      );
      return;
    }
    if (event.phase !== 'entered' || !shape || shape.container) return;
    const subject = shape.subjectPath ? at(event.input, shape.subjectPath) : event.input;
    const poll = (subject as { poll?: { waitSeconds?: unknown; waitedSeconds?: unknown } } | undefined)?.poll;
    const timing =
      typeof poll?.waitSeconds === 'number'
        ? ` (${typeof poll.waitedSeconds === 'number' && poll.waitedSeconds > 0 ? `waited ${formatDuration(poll.waitedSeconds * 1000)}, ` : ''}next look in ${formatDuration(poll.waitSeconds * 1000)})`
        : '';
    const open: Open = {
      state: event.state,
      since: event.at,
      lastLine: event.at,
      text: describeWait(event.state, subject),
      waits: shape.waits || shape.looks === true,
    };
    this.open.set(key, open);
    if (shape.waits) this.write(`${open.text}${timing}`, event.at);
  }

  /** On a real clock, called every few seconds: a line for each state silent for `everyMs`. */
  public tick(now: number): void {
    for (const open of this.open.values()) {
      if (now - open.lastLine < this.everyMs) continue;
      open.lastLine = now;
      const text = open.waits ? open.text : `${open.state}: still running`;
      this.write(`${text} (${formatDuration(now - open.since)} so far)`, now);
    }
  }

  /** States entered and not exited (for tests and the end of a run). */
  public get openStates(): string[] {
    return [...this.open.values()].map((o) => o.state);
  }
}
