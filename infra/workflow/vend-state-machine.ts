import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JsonPath,
  Map as MapState,
  Parallel,
  Pass,
  Result,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
  type IChainable,
  type INextable,
  type State,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { TemplateKey } from '../../shared/domain/naming';
import { ACCOUNT_NOT_READY_RETRY, TRANSIENT_ERRORS, TRANSIENT_RETRY } from '../../shared/domain/retry';
import {
  ACCOUNT_CREATION_LOOKS,
  ACCOUNT_SLOT_WAIT,
  CONFORMANCE_PACK_LOOKS,
} from '../../shared/domain/polling';
import { Duration } from 'aws-cdk-lib';
import { RESUMABLE_STEPS } from '../../shared/workflow/resume';
import type { StepFunctionName } from './step-functions';
import {
  addLookRetry,
  addRetryPolicy,
  catchEachStep,
  chainInOrder,
  correlatedPayload,
  invokeWithRetries,
  CORRELATION_PATH,
  wireStackSetLoop,
  type InvokeProps,
} from './tasks';

type Functions = Record<StepFunctionName, IFunction>;

/** JSONPath-safe keys under which each stack set's final state is kept. */
const RESULT_KEY: Record<TemplateKey, string> = {
  'artifact-store': 'artifactStore',
  'cross-account-roles': 'crossAccountRoles',
  guardrails: 'guardrails',
  pipeline: 'pipeline',
};

/** The DeployStackSets branch each stack set is deployed in, and the access branch. */
const BRANCH: Record<TemplateKey, number> = {
  'artifact-store': 0,
  pipeline: 0,
  'cross-account-roles': 1,
  guardrails: 2,
};
const ACCESS_BRANCH = 3;
/** The order of the stack sets in `$.deployment.stackSets` (the summary lists them so). */
const TEMPLATE_ORDER: TemplateKey[] = ['artifact-store', 'pipeline', 'cross-account-roles', 'guardrails'];

/**
 * The vend workflow (DESIGN.md §2, §3): validate → OU → SCP → accounts (in parallel, each polled
 * with Wait states, quarantined, moved and probed) → stack sets in the single-pass order (three
 * parallel branches: artifact store then pipeline; cross-account roles; guardrails then Config
 * registration, waiting for the conformance packs to deploy; Identity Center access and alternate
 * contacts) → quarantine released → summary. A resumed vend enters at the step that failed.
 * Every wait is a Wait state: no Lambda sleeps. Failures are caught once per top-level step,
 * summarized (which step, why) and end the execution as failed.
 */
/**
 * What the summary step is told of its execution, from the context object: the execution's name
 * (a correlation key of its log lines) and when it started (the vend's duration metric).
 */
const EXECUTION_FIELDS = { 'execution.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime' };

export class VendWorkflow {
  public readonly definition: IChainable;
  private readonly scope: Construct;
  private readonly fns: Functions;

  public constructor(scope: Construct, functions: Functions) {
    this.scope = scope;
    this.fns = functions;

    const summarizeFailure = this.invoke('SummarizeFailure', 'summarize-vend', {
      payload: TaskInput.fromObject({ 'state.$': '$', status: 'FAILED', ...EXECUTION_FIELDS }),
      resultPath: '$.summary',
    });
    const failed = new Fail(scope, 'VendFailed', {
      errorPath: '$.failure.Error',
      causePath: '$.failure.Cause',
    });
    summarizeFailure.next(failed);

    const steps: [string, State & INextable][] = [
      [
        'ValidateRequest',
        this.invoke('ValidateRequest', 'validate-request', {
          // With the whole state (a path to a key the input may lack would fail the task): the
          // accounts an earlier vend recorded, when the ledger put them in the execution input.
          payload: TaskInput.fromObject({ 'request.$': '$.request', 'state.$': '$' }),
          resultPath: '$.app',
        }),
      ],
      [
        'EnsureOrganizationalUnit',
        this.invoke('EnsureOrganizationalUnit', 'ensure-organizational-unit', {
          // With the whole validated application: its recordedOuId, when it has one.
          payload: TaskInput.fromObject({ 'request.$': '$.app.request', 'app.$': '$.app' }),
          resultPath: '$.ou',
        }),
      ],
      [
        'EnsureServiceControlPolicy',
        this.invoke('EnsureServiceControlPolicy', 'ensure-service-control-policy', {
          payload: TaskInput.fromObject({ 'request.$': '$.app.request', 'ouId.$': '$.ou.id' }),
          resultPath: '$.scp',
        }),
      ],
      ['VendAccounts', this.vendAccounts()],
      ['DeployStackSets', this.deployStackSets()],
      [
        'ReleaseQuarantine',
        this.invoke('ReleaseQuarantine', 'release-quarantine', {
          payload: TaskInput.fromObject({
            'accounts.$': '$.accounts',
            'application.$': '$.app.request.name',
          }),
          resultPath: '$.quarantine',
        }),
      ],
    ];

    catchEachStep(scope, steps, { idPrefix: 'FailedAt', recordFailure: summarizeFailure });

    const summarize = this.invoke('Summarize', 'summarize-vend', {
      payload: TaskInput.fromObject({ 'state.$': '$', status: 'SUCCEEDED', ...EXECUTION_FIELDS }),
    });

    chainInOrder(steps).next(summarize);

    // A resumed vend (ledger: the same request after a failure) starts at the step that failed,
    // with what the earlier steps made in its input; any other input starts at the beginning.
    const resumeAt = new Choice(scope, 'ResumeAt?');
    for (const [step, state] of steps) {
      if (!Object.hasOwn(RESUMABLE_STEPS, step)) continue;
      resumeAt.when(
        Condition.and(Condition.isPresent('$.resumeFrom'), Condition.stringEquals('$.resumeFrom', step)),
        state,
      );
    }
    resumeAt.otherwise(steps[0]![1]);
    this.definition = correlate(scope, resumeAt);
  }

  public definitionBody(): DefinitionBody {
    return DefinitionBody.fromChainable(this.definition);
  }

  /** A Lambda task with the standard retries: Lambda's own transient errors and AWS's. */
  private invoke(id: string, fn: StepFunctionName, props: InvokeProps): LambdaInvoke {
    return invokeWithRetries(this.scope, id, this.fns[fn], props);
  }

  /**
   * Step 4-5: every account at once; each looks for its address (over several calls in a large
   * organization), polls its CreateAccount request, then moves into the OU.
   */
  private vendAccounts(): MapState {
    const s = this.scope;
    const start = this.invoke('StartAccountCreation', 'start-account-creation', {
      payload: TaskInput.fromObject({
        'account.$': '$.account',
        'application.$': '$.application',
        'tags.$': '$.tags',
        // A later attempt of this execution keeps a CreateAccount slot an earlier one took.
        'execution.$': '$$.Execution.Id',
        // An account of an earlier vend is looked for in the OU, not in the whole organization.
        'ouId.$': '$.ouId',
      }),
      resultPath: '$.creation',
    });
    const check = this.invoke('CheckAccountCreation', 'check-account-creation', {
      inputPath: '$.creation',
      resultPath: '$.creation',
    });
    const move = this.invoke('MoveAccount', 'move-account', {
      payload: TaskInput.fromObject({
        'creation.$': '$.creation',
        'ouId.$': '$.ouId',
        'application.$': '$.application',
      }),
    });
    // The readiness probe: a new account that does not answer through its role yet is asked again.
    addRetryPolicy(move, [ACCOUNT_NOT_READY_RETRY.error], ACCOUNT_NOT_READY_RETRY);
    // The first look at the request comes after a Wait sized by the start; the later looks are the
    // check's Retry (one transition each): the check throws while the request is IN_PROGRESS.
    const wait = new Wait(s, 'WaitForAccount', { time: WaitTime.secondsPath('$.creation.poll.waitSeconds') });
    addLookRetry(check, ACCOUNT_CREATION_LOOKS);
    // A new account's role answers some time after AWS completed the request: the move and its
    // readiness probe wait until then (the check sizes the wait from AWS's CompletedTimestamp).
    const waitForRole = new Wait(s, 'WaitForAccountRole', {
      time: WaitTime.secondsPath('$.creation.roleWaitSeconds'),
    });
    waitForRole.next(move);
    // Queued behind the organization's CreateAccount quota: the account joins appvend's line with
    // this task's token and the execution waits, at no cost, until a releaser sends the token (a
    // request ended: README "Accounts: the CreateAccount line"). The sweep's heartbeats keep a
    // token in line alive; a token the line lost (a crash before it was kept) times out and the
    // account comes back to its place: a new look at the slots, then the line again.
    const waitForSlot = new LambdaInvoke(s, 'WaitForAccountSlot', {
      lambdaFunction: this.fns['start-account-creation'],
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: correlatedPayload(
        TaskInput.fromObject({
          'account.$': '$.account',
          'application.$': '$.application',
          wait: { token: JsonPath.taskToken },
        }),
      ),
      heartbeatTimeout: Timeout.duration(Duration.seconds(ACCOUNT_SLOT_WAIT.heartbeatSeconds)),
      resultPath: JsonPath.DISCARD,
      retryOnServiceExceptions: true,
    });
    addRetryPolicy(waitForSlot, TRANSIENT_ERRORS, TRANSIENT_RETRY);
    const retryStart = this.invoke('RetryAccountCreation', 'start-account-creation', {
      payload: TaskInput.fromObject({
        'account.$': '$.account',
        'application.$': '$.application',
        'tags.$': '$.tags',
        queued: true,
        'previous.$': '$.creation',
        'execution.$': '$$.Execution.Id',
        'ouId.$': '$.ouId',
      }),
      resultPath: '$.creation',
    });
    // Many accounts changing the line at once: asked again after a jittered backoff.
    for (const task of [start, check, waitForSlot, retryStart]) {
      addRetryPolicy(task, ['AccountLineContendedError'], TRANSIENT_RETRY);
    }
    waitForSlot.next(retryStart);
    waitForSlot.addCatch(retryStart, {
      errors: ['States.HeartbeatTimeout', 'States.Timeout'],
      resultPath: JsonPath.DISCARD,
    });
    // The search by email stopped at its page budget: go on at once from where it stopped (no
    // Wait: nothing is pending at AWS, the organization is only large).
    const searchOn = this.invoke('ContinueAccountSearch', 'start-account-creation', {
      payload: TaskInput.fromObject({
        'account.$': '$.account',
        'application.$': '$.application',
        'tags.$': '$.tags',
        'previous.$': '$.creation',
        'ouId.$': '$.ouId',
      }),
      resultPath: '$.creation',
    });
    const ready = new Choice(s, 'AccountReady?')
      .when(Condition.stringEquals('$.creation.state', 'SUCCEEDED'), waitForRole)
      .when(Condition.stringEquals('$.creation.state', 'QUEUED'), waitForSlot)
      .when(Condition.stringEquals('$.creation.state', 'SEARCHING'), searchOn)
      .otherwise(wait);
    // The start goes straight to the first look, whatever it answered (the wait and the look hand
    // any answer but a request in progress on at once); the routing comes after the look. So does
    // the start after a wait in line, whose request is in flight but for a lost race.
    start.next(wait);
    retryStart.next(wait);
    searchOn.next(ready);
    wait.next(check);
    check.next(ready);

    const map = new MapState(s, 'VendAccounts', {
      itemsPath: '$.app.accounts',
      itemSelector: {
        'account.$': '$$.Map.Item.Value',
        'application.$': '$.app.request.name',
        'tags.$': '$.app.request.tags',
        'ouId.$': '$.ou.id',
        'correlation.$': CORRELATION_PATH,
      },
      maxConcurrency: 0,
      resultPath: '$.accounts',
    });
    map.itemProcessor(start);
    return map;
  }

  /**
   * Step 6-7: four branches in parallel, so the vend takes only as long as the longest. What the
   * vend keeps of them (`$.deployment`: the stack sets, the guardrails, the access) is picked from
   * the branches' final states by the Parallel state's ResultSelector, not by a Pass state at the
   * end of each branch (one state transition each).
   */
  private deployStackSets(): Parallel {
    const s = this.scope;
    const deployed = (template: TemplateKey) => `$[${BRANCH[template]}].deployed.${RESULT_KEY[template]}`;
    const parallel = new Parallel(s, 'DeployStackSets', {
      resultSelector: {
        'stackSets.$': `States.Array(${TEMPLATE_ORDER.map(deployed).join(', ')})`,
        'guardrails.$': `$[${BRANCH.guardrails}].guardrailsResult`,
        'access.$': `$[${ACCESS_BRANCH}].access`,
      },
      resultPath: '$.deployment',
    });

    // Each loop leads straight on, once its stack set is current, to what comes after it.
    const pipeline = this.stackSetLoop('pipeline', new Succeed(s, 'PipelineCurrent'));
    parallel.branch(this.stackSetLoop('artifact-store', pipeline));
    parallel.branch(this.stackSetLoop('cross-account-roles', new Succeed(s, 'CrossAccountRolesCurrent')));

    const register = this.invoke('RegisterGuardrails', 'register-guardrails', {
      payload: TaskInput.fromObject({ 'request.$': '$.app.request', 'accounts.$': '$.accounts' }),
      resultPath: '$.guardrailsResult',
    });
    // AWS Config deploys each pack after the put: a Wait (none when the packs were deployed
    // already), then looks (CheckConformancePacks' Retry, with backoff) until every pack is
    // CREATE_COMPLETE; the check fails the step on CREATE_FAILED with AWS's reason.
    const waitForPacks = new Wait(s, 'WaitForConformancePacks', {
      time: WaitTime.secondsPath('$.guardrailsResult.poll.waitSeconds'),
    });
    const checkGuardrails = this.invoke('CheckConformancePacks', 'check-guardrails', {
      inputPath: '$.guardrailsResult',
      resultPath: '$.guardrailsResult',
    });
    addLookRetry(checkGuardrails, CONFORMANCE_PACK_LOOKS);
    register.next(waitForPacks);
    waitForPacks.next(checkGuardrails);
    parallel.branch(this.stackSetLoop('guardrails', register));
    parallel.branch(this.grantAccess());
    return parallel;
  }

  /**
   * The access branch: Identity Center assignments and alternate contacts (the accounts exist; the
   * quarantine still holds the team out until ReleaseQuarantine). Creations and deletions are
   * followed with Wait states and another look (the same function, given its previous state),
   * never a sleeping Lambda. `$.accessMade` is what appvend made for an earlier request of the
   * application (the intake puts the ledger's record in the execution input); an execution started
   * without it (a vend outside the ledger) made nothing before.
   */
  private grantAccess(): State {
    const s = this.scope;
    const grant = this.invoke('GrantAccess', 'grant-access', {
      payload: TaskInput.fromObject({
        'request.$': '$.app.request',
        'accounts.$': '$.accounts',
        'made.$': '$.accessMade',
      }),
      resultPath: '$.access',
    });
    const nothingMade = new Pass(s, 'NoAccessMadeBefore', {
      result: Result.fromObject({ grants: [], contacts: [] }),
      resultPath: '$.accessMade',
    });
    // IsPresent true, not false: the local runner (aws-local-stepfunctions 3.0) never matches `IsPresent: false`.
    const known = new Choice(s, 'AccessMadeKnown?')
      .when(Condition.isPresent('$.accessMade'), grant)
      .otherwise(nothingMade);
    nothingMade.next(grant);
    const check = this.invoke('CheckAccessGrants', 'grant-access', {
      payload: TaskInput.fromObject({
        'request.$': '$.app.request',
        'accounts.$': '$.accounts',
        'made.$': '$.accessMade',
        'previous.$': '$.access',
      }),
      resultPath: '$.access',
    });
    const wait = new Wait(s, 'WaitForAccessGrants', {
      time: WaitTime.secondsPath('$.access.poll.waitSeconds'),
    });
    const granted = new Choice(s, 'AccessGranted?')
      .when(Condition.stringEquals('$.access.state', 'DONE'), new Succeed(s, 'AccessGranted'))
      .otherwise(wait);
    grant.next(granted);
    wait.next(check);
    check.next(granted);
    return known;
  }

  /**
   * Deploy → (running? wait → check, looking again until the operation ended → deploy again) →
   * done: `then`. Deploy is called again after each operation because one call does one thing
   * (create, update, add instances).
   */
  private stackSetLoop(template: TemplateKey, then: State): State {
    const key = RESULT_KEY[template];
    const label = template
      .split('-')
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join('');
    const deploy = this.invoke(`Deploy${label}`, 'deploy-stack-set', {
      payload: TaskInput.fromObject({
        template,
        'request.$': '$.app.request',
        'accounts.$': '$.accounts',
        // Service-managed stack sets target the application's OU.
        'ouId.$': '$.ou.id',
      }),
      resultPath: `$.deployed.${key}`,
    });
    const check = this.invoke(`Check${label}`, 'check-stack-set-operation', {
      inputPath: `$.deployed.${key}`,
      resultPath: `$.deployed.${key}`,
    });
    wireStackSetLoop(this.scope, {
      act: deploy,
      check,
      resultPath: `$.deployed.${key}`,
      done: then,
      ids: { wait: `Wait${label}`, actDone: `${label}Done?` },
    });
    return deploy;
  }
}

/**
 * The vend's first states: what every function's log lines carry (the execution's name and, when
 * the execution came through the ledger, its request id) is kept at `$.correlation` for every
 * task to send. A Choice, because a path to a field the input lacks fails the state
 * (`States.Runtime`): an execution started without a request id still runs, its lines without one.
 */
function correlate(scope: Construct, next: IChainable): IChainable {
  const keep = (id: string, correlation: Record<string, string>) =>
    new Pass(scope, id, { parameters: correlation, resultPath: CORRELATION_PATH }).next(next);
  return new Choice(scope, 'RequestIdGiven?')
    .when(
      Condition.isPresent('$.requestId'),
      keep('CorrelateWithRequestId', { 'execution.$': '$$.Execution.Name', 'requestId.$': '$.requestId' }),
    )
    .otherwise(keep('Correlate', { 'execution.$': '$$.Execution.Name' }));
}
