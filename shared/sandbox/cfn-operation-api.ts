import { membersBy } from './atomic';
import type * as cfn from '@aws-sdk/client-cloudformation';
import { CFN_PAGES, cfnError, findStackSet, requireMember, validationError } from './cfn-common';
import type { CallContext, HandlerTable, Out } from './context';
import { paginate } from './pagination';
import type { OperationState, OperationTargetResult, StackSetState } from './state';
import { operationsByStackSet } from './state-indexes';

/** CloudFormation StackSets: reading operations and their per-target results. */

function findOperation(ctx: CallContext, stackSet: StackSetState, id: unknown): OperationState {
  const operationId = requireMember(id as string | undefined, 'operationId');
  const op = ctx.state.operations[operationId];
  if (!op || op.stackSetId !== stackSet.id)
    throw cfnError('OperationNotFoundException', `Operation ${operationId} not found`);
  return op;
}

/** The preferences as CloudFormation echoes them: given values, and defaults for the rest. */
function preferencesView(op: OperationState): cfn.StackSetOperationPreferences {
  const p = op.preferences;
  return {
    RegionConcurrencyType: (p.RegionConcurrencyType ?? 'SEQUENTIAL') as cfn.RegionConcurrencyType,
    RegionOrder: p.RegionOrder ?? [],
    ...(p.FailureTolerancePercentage === undefined
      ? { FailureToleranceCount: p.FailureToleranceCount ?? 0 }
      : { FailureTolerancePercentage: p.FailureTolerancePercentage }),
    ...(p.MaxConcurrentPercentage === undefined
      ? { MaxConcurrentCount: p.MaxConcurrentCount ?? 1 }
      : { MaxConcurrentPercentage: p.MaxConcurrentPercentage }),
    ConcurrencyMode: (p.ConcurrencyMode ?? 'STRICT_FAILURE_TOLERANCE') as cfn.ConcurrencyMode,
  };
}

const done = (op: OperationState) => op.status === 'SUCCEEDED' || op.status === 'FAILED';

function operationView(op: OperationState): cfn.StackSetOperation {
  return {
    OperationId: op.id,
    StackSetId: op.stackSetId,
    Action: op.action,
    Status: op.status,
    OperationPreferences: preferencesView(op),
    ...(op.action === 'DELETE' ? { RetainStacks: op.retainStacks === true } : {}),
    AdministrationRoleARN: op.administrationRoleArn,
    ExecutionRoleName: op.executionRoleName,
    CreationTimestamp: new Date(op.createdAt),
    ...(done(op) ? { EndTimestamp: new Date(op.endedAt!) } : {}),
    ...(op.statusReason ? { StatusReason: op.statusReason } : {}),
    ...(done(op)
      ? {
          StatusDetails: {
            FailedStackInstancesCount: op.results.filter((r) => r.status === 'FAILED').length,
          },
        }
      : {}),
  };
}

/** Results are decided when an operation starts but only visible as it ends. */
function resultStatus(op: OperationState, result: OperationTargetResult): cfn.StackSetOperationResultStatus {
  if (op.status === 'QUEUED') return 'PENDING';
  if (op.status === 'RUNNING') return 'RUNNING';
  return result.status;
}

function describeOperation(
  input: cfn.DescribeStackSetOperationCommandInput,
  ctx: CallContext,
): Out<cfn.DescribeStackSetOperationCommandOutput> {
  const stackSet = findStackSet(ctx, input.StackSetName, input.CallAs);
  return { StackSetOperation: operationView(findOperation(ctx, stackSet, input.OperationId)) };
}

function listOperations(
  input: cfn.ListStackSetOperationsCommandInput,
  ctx: CallContext,
): Out<cfn.ListStackSetOperationsCommandOutput> {
  const stackSet = findStackSet(ctx, input.StackSetName, input.CallAs);
  const ops = membersBy(ctx.state.operations, operationsByStackSet, stackSet.id).sort(
    (a, b) => b.seq - a.seq,
  );
  const page = paginate(ops, input.NextToken, input.MaxResults, CFN_PAGES);
  return {
    Summaries: page.items.map((op): cfn.StackSetOperationSummary => {
      const view = operationView(op);
      return {
        OperationId: view.OperationId,
        Action: view.Action,
        Status: view.Status,
        CreationTimestamp: view.CreationTimestamp,
        ...(view.EndTimestamp ? { EndTimestamp: view.EndTimestamp } : {}),
        ...(view.StatusReason ? { StatusReason: view.StatusReason } : {}),
        ...(view.StatusDetails ? { StatusDetails: view.StatusDetails } : {}),
        OperationPreferences: view.OperationPreferences,
      };
    }),
    NextToken: page.nextToken,
  };
}

function listResults(
  input: cfn.ListStackSetOperationResultsCommandInput,
  ctx: CallContext,
): Out<cfn.ListStackSetOperationResultsCommandOutput> {
  const stackSet = findStackSet(ctx, input.StackSetName, input.CallAs);
  const op = findOperation(ctx, stackSet, input.OperationId);
  for (const filter of input.Filters ?? []) {
    if (filter.Name !== 'OPERATION_RESULT_STATUS')
      throw validationError(`Invalid filter name: ${filter.Name}`);
  }
  const results = op.results
    .map((r) => ({ r, status: resultStatus(op, r) }))
    .filter(({ status }) => (input.Filters ?? []).every((f) => f.Values === status));
  const page = paginate(results, input.NextToken, input.MaxResults, CFN_PAGES);
  return {
    Summaries: page.items.map(({ r, status }) => ({
      Account: r.account,
      Region: r.region,
      Status: status,
      ...(done(op) && r.reason ? { StatusReason: r.reason } : {}),
      // Real results carry this too: StackSets looks for an account gate function and skips it.
      AccountGateResult: {
        Status: 'SKIPPED',
        StatusReason: `Function not found: arn:aws:lambda:${r.region}:${r.account}:function:AWSCloudFormationStackSetAccountGate`,
      },
    })),
    NextToken: page.nextToken,
  };
}

export const OPERATION_HANDLERS: HandlerTable = {
  DescribeStackSetOperation: describeOperation,
  ListStackSetOperations: listOperations,
  ListStackSetOperationResults: listResults,
};
