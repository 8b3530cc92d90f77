import type { OffboardingRecord } from '../../ledger/record';
import { failureOf } from '../steps/summary';
import type {
  AccountClosure,
  AccountGuardrailsRemoval,
  AccountSuspension,
  OffboardSummary,
  OffboardTarget,
  OuRemoval,
  PolicyRemoval,
  StackSetRemoval,
} from './types';

/** The offboarding state machine's state, as its last step receives it. */
export interface OffboardState {
  application?: string;
  target?: OffboardTarget;
  guardrails?: AccountGuardrailsRemoval[];
  /** The removals, wave by wave (RemoveStackSets maps the waves, each wave its stack sets). */
  stackSets?: (StackSetRemoval | StackSetRemoval[])[];
  scp?: PolicyRemoval;
  accounts?: AccountSuspension[];
  ou?: OuRemoval;
  closure?: AccountClosure;
  failure?: { step?: string; Error?: string; Cause?: string };
}

/** What the offboarding did, from the state machine's state; on failure, the step and the reason. */
export function summarizeOffboarding(
  state: OffboardState,
  status: OffboardSummary['status'],
): OffboardSummary {
  const summary: OffboardSummary = {
    application: state.target?.application ?? state.application ?? '',
    status,
    ...(state.guardrails && { guardrails: state.guardrails }),
    stackSets: (state.stackSets ?? []).flat().map((s) => ({
      name: s.name,
      outcome: s.outcome ?? s.state,
      ...(s.reason && { reason: s.reason }),
    })),
    ...(state.scp && { serviceControlPolicy: state.scp }),
    accounts: state.accounts ?? [],
    ...(state.ou && { organizationalUnit: state.ou }),
    ...(state.closure && { closure: state.closure }),
  };
  if (status === 'FAILED') summary.error = failureOf(state.failure);
  return summary;
}

/** The ledger's record of a finished offboarding: what was removed, closed and left alone. */
export function offboardingRecordOf(
  summary: OffboardSummary,
  target: OffboardTarget,
  times: { startedAt: string; endedAt: string },
): OffboardingRecord {
  const guardrails = (summary.guardrails ?? []).flatMap((account) =>
    (['conformancePack', 'recorder'] as const).flatMap((kind) => {
      const removal = account[kind];
      const resource = `${kind === 'recorder' ? 'Config recorder' : 'conformance pack'} in ${account.stage} ${account.id}`;
      return removal ? [{ resource, removal }] : [];
    }),
  );
  const kept: OffboardingRecord['kept'] = [
    ...guardrails.flatMap(({ resource, removal }) =>
      removal.outcome === 'kept' ? [{ resource, reason: removal.reason }] : [],
    ),
    ...summary.stackSets
      .filter((s) => s.outcome === 'kept')
      .map((s) => ({ resource: `stack set ${s.name}`, reason: s.reason ?? '' })),
    ...(summary.serviceControlPolicy?.outcome === 'kept'
      ? [
          {
            resource: `SCP ${summary.serviceControlPolicy.name}`,
            reason: summary.serviceControlPolicy.reason ?? '',
          },
        ]
      : []),
    ...(summary.serviceControlPolicy?.connectionShare?.outcome === 'kept'
      ? [
          {
            resource: `AWS RAM resource share ${summary.serviceControlPolicy.connectionShare.name}`,
            reason: summary.serviceControlPolicy.connectionShare.reason ?? '',
          },
        ]
      : []),
    ...summary.accounts
      .filter((a) => a.outcome === 'kept')
      .map((a) => ({ resource: `account ${a.stage} ${a.id}`, reason: a.reason ?? '' })),
    ...(summary.organizationalUnit?.outcome === 'kept'
      ? [{ resource: `OU ${summary.organizationalUnit.id}`, reason: summary.organizationalUnit.reason ?? '' }]
      : []),
    ...(summary.closure?.kept ?? []).map((a) => ({
      resource: `account ${a.stage} ${a.id}`,
      reason: a.reason,
    })),
  ];
  const scp = summary.serviceControlPolicy;
  const ou = summary.organizationalUnit;
  return {
    requestId: target.requestId,
    executionName: target.executionName,
    startedAt: times.startedAt,
    endedAt: times.endedAt,
    guardrails: guardrails.filter(({ removal }) => removal.outcome === 'deleted').map((g) => g.resource),
    stackSets: summary.stackSets.filter((s) => s.outcome === 'deleted').map((s) => s.name),
    ...(scp?.outcome === 'deleted' && scp.id && { serviceControlPolicy: scp.id }),
    ...(ou?.outcome === 'deleted' && ou.id && { organizationalUnit: ou.id }),
    suspendedAccounts: Object.fromEntries(
      summary.accounts.filter((a) => a.outcome !== 'kept').map((a) => [a.stage, a.id]),
    ),
    closeAccounts: target.closeAccounts,
    closedAccounts: summary.closure?.closed ?? [],
    kept,
  };
}
