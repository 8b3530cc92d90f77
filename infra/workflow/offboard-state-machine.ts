import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  Map as MapState,
  Parallel,
  Pass,
  TaskInput,
  Wait,
  WaitTime,
  type IChainable,
  type INextable,
  type State,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { CLOSURES_BUSY_RETRY, PACK_BUSY_RETRY } from '../../shared/domain/retry';
import type { OffboardWorkflowFunctionName } from './step-functions';
import {
  addRetryPolicy,
  catchEachStep,
  chainInOrder,
  invokeWithRetries,
  CORRELATION_PATH,
  wireStackSetLoop,
  type InvokeProps,
} from './tasks';

type Functions = Record<OffboardWorkflowFunctionName, IFunction>;

/**
 * The offboarding workflow: prepare (read the ledger, check the suspended OU) → remove the
 * conformance packs and the Config recorders the vend registered (before the stack set that made
 * the recorders' role) → remove the application's stack sets (in parallel; each empties its
 * stacks' buckets, deletes its instances, one operation per call, waited for with Wait states,
 * then itself) → detach and delete the SCP → move the accounts to the
 * suspended OU → delete the emptied OU → close the accounts when asked (closure quota checked
 * first) → record OFFBOARDED in the ledger. The OU goes before the closure so that a closure the
 * quota refuses leaves nothing else to do. Failures are caught once per step, recorded (the
 * application stays OFFBOARDING, with the step and the reason) and fail the execution.
 * The execution's input is `{ application, executionName }`, as the ledger started it.
 */
export class OffboardWorkflow {
  public readonly definition: IChainable;
  private readonly scope: Construct;
  private readonly fns: Functions;

  public constructor(parent: Construct, functions: Functions) {
    // A scope of its own: the vend's states live beside these in the service stack.
    this.scope = new Construct(parent, 'Offboard');
    this.fns = functions;
    const s = this.scope;

    const recordFailure = this.invoke('RecordOffboardingFailure', 'summarize-offboarding', {
      payload: TaskInput.fromObject({ 'state.$': '$', status: 'FAILED' }),
      resultPath: '$.summary',
    });
    recordFailure.next(
      new Fail(s, 'OffboardingFailed', { errorPath: '$.failure.Error', causePath: '$.failure.Cause' }),
    );

    const target = TaskInput.fromObject({ 'target.$': '$.target' });
    const steps: [string, State & INextable][] = [
      [
        'PrepareOffboarding',
        this.invoke('PrepareOffboarding', 'prepare-offboarding', {
          payload: TaskInput.fromObject({
            'application.$': '$.application',
            'executionName.$': '$.executionName',
          }),
          resultPath: '$.target',
        }),
      ],
      ['RemoveGuardrails', this.removeGuardrails(target)],
      ['RemoveStackSets', this.removeStackSets()],
      [
        'RemoveServiceControlPolicy',
        this.invoke('RemoveServiceControlPolicy', 'remove-service-control-policy', {
          payload: target,
          resultPath: '$.scp',
        }),
      ],
      ['RemoveAccess', this.removeAccess()],
      [
        'SuspendAccounts',
        this.invoke('SuspendAccounts', 'suspend-accounts', { payload: target, resultPath: '$.accounts' }),
      ],
      [
        'RemoveOrganizationalUnit',
        this.invoke('RemoveOrganizationalUnit', 'remove-organizational-unit', {
          payload: target,
          resultPath: '$.ou',
        }),
      ],
    ];
    const closeAccounts = this.invoke('CloseAccounts', 'close-accounts', {
      payload: TaskInput.fromObject({ 'target.$': '$.target', 'accounts.$': '$.accounts' }),
      resultPath: '$.closure',
    });
    addRetryPolicy(closeAccounts, [CLOSURES_BUSY_RETRY.error], CLOSURES_BUSY_RETRY);

    catchEachStep(s, [...steps, ['CloseAccounts', closeAccounts]], {
      idPrefix: 'OffboardingFailedAt',
      recordFailure,
    });

    const recordOffboarded = this.invoke('RecordOffboarded', 'summarize-offboarding', {
      payload: TaskInput.fromObject({ 'state.$': '$', status: 'OFFBOARDED' }),
    });
    closeAccounts.next(recordOffboarded);
    const closeWanted = new Choice(s, 'CloseAccounts?')
      .when(Condition.booleanEquals('$.target.closeAccounts', true), closeAccounts)
      .otherwise(recordOffboarded);

    chainInOrder(steps).next(closeWanted);
    // What every function's log lines carry, for every task to send: the execution's name (the
    // request id comes with the target PrepareOffboarding reads from the ledger).
    this.definition = new Pass(s, 'CorrelateOffboarding', {
      parameters: { 'execution.$': '$$.Execution.Name' },
      resultPath: CORRELATION_PATH,
    }).next(steps[0]![1]);
  }

  public definitionBody(): DefinitionBody {
    return DefinitionBody.fromChainable(this.definition);
  }

  /** A Lambda task with the standard retries, as in the vend. */
  private invoke(id: string, fn: OffboardWorkflowFunctionName, props: InvokeProps): LambdaInvoke {
    return invokeWithRetries(this.scope, id, this.fns[fn], props);
  }

  /**
   * The Identity Center assignments the vend made, removed before the accounts leave the OU: remove
   * → deleting? wait → look again. In a Parallel of one branch, so that the loop is one step.
   */
  private removeAccess(): Parallel {
    const s = this.scope;
    const remove = this.invoke('RemoveAccessAssignments', 'remove-access', {
      payload: TaskInput.fromObject({ 'target.$': '$.target' }),
      resultPath: '$.access',
    });
    const check = this.invoke('CheckAccessRemoval', 'remove-access', {
      payload: TaskInput.fromObject({ 'target.$': '$.target', 'previous.$': '$.access' }),
      resultPath: '$.access',
    });
    const wait = new Wait(s, 'WaitForAccessRemoval', {
      time: WaitTime.secondsPath('$.access.poll.waitSeconds'),
    });
    const removed = new Choice(s, 'AccessRemoved?')
      .when(
        Condition.stringEquals('$.access.state', 'DONE'),
        new Pass(s, 'AccessRemovalDone', { outputPath: '$.access' }),
      )
      .otherwise(wait);
    remove.next(removed);
    wait.next(check);
    check.next(removed);
    const parallel = new Parallel(s, 'RemoveAccess', { resultPath: '$.access' });
    parallel.branch(remove);
    return parallel;
  }

  /** The guardrails step, asked again for as long as a conformance pack deployment takes. */
  private removeGuardrails(payload: TaskInput): LambdaInvoke {
    const task = this.invoke('RemoveGuardrails', 'remove-guardrails', {
      payload,
      resultPath: '$.guardrails',
    });
    addRetryPolicy(task, [PACK_BUSY_RETRY.error], PACK_BUSY_RETRY);
    return task;
  }

  /**
   * The stack sets wave by wave, each wave's at once. Each: remove (one call does one thing: empty the buckets of one
   * Region's instances, start deleting those instances, or delete the emptied stack set) →
   * preparing? remove again; running? wait → check → succeeded, or failed on a bucket refilled by
   * late access logs? remove again.
   */
  private removeStackSets(): MapState {
    const s = this.scope;
    const remove = this.invoke('RemoveStackSet', 'remove-stack-set', {
      payload: TaskInput.fromObject({ 'name.$': '$.stackSet', 'application.$': '$.application' }),
      resultPath: '$.removal',
    });
    const check = this.invoke('CheckStackSetRemoval', 'check-stack-set-operation', {
      inputPath: '$.removal',
      resultPath: '$.removal',
    });
    wireStackSetLoop(s, {
      act: remove,
      check,
      resultPath: '$.removal',
      done: new Pass(s, 'StackSetRemoved', { outputPath: '$.removal' }),
      // Buckets emptied in the call, more of them to empty: call again at once. (A deletion that
      // met a bucket refilled by late access logs ends BUCKET_REFILLED: the removal empties it
      // again, then retries.)
      again: 'PREPARING',
      ids: { wait: 'WaitForStackSetRemoval', actDone: 'StackSetGone?' },
    });
    // Wave after wave (the pipeline, which imports the artifact store's export, goes first); the
    // stack sets of a wave at once.
    const wave = new MapState(s, 'RemoveStackSetWave', {
      itemsPath: '$.wave',
      itemSelector: {
        'stackSet.$': '$$.Map.Item.Value',
        'application.$': '$.application',
        'correlation.$': CORRELATION_PATH,
      },
      maxConcurrency: 0,
    });
    wave.itemProcessor(remove);
    const map = new MapState(s, 'RemoveStackSets', {
      itemsPath: '$.target.stackSetWaves',
      itemSelector: {
        'wave.$': '$$.Map.Item.Value',
        'application.$': '$.target.application',
        // The stack set functions get no target: the request id joins the execution here.
        correlation: { 'execution.$': '$$.Execution.Name', 'requestId.$': '$.target.requestId' },
      },
      maxConcurrency: 1,
      resultPath: '$.stackSets',
    });
    map.itemProcessor(wave);
    return map;
  }
}
