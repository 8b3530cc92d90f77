import { errorMessage } from '../../errors';
import type { AccessGrant } from './access';
import type {
  GuardrailsResult,
  StackSetDeployment,
  VendAccessSummary,
  VendSummary,
  VendedAccount,
} from '../types';

export interface VendState {
  app?: { request?: { name?: string } };
  request?: { name?: unknown };
  ou?: { id: string; name: string };
  scp?: { id: string; name: string };
  accounts?: VendedAccount[];
  /**
   * What DeployStackSets kept of its branches (its ResultSelector); an execution of an earlier
   * version of the workflow kept each branch's part in an array, which a resumed vend may carry.
   */
  deployment?: Deployment | Deployment[];
  quarantine?: { released?: string[] };
  failure?: { step?: string; Error?: string; Cause?: string };
}

interface Deployment {
  stackSets?: StackSetDeployment[];
  guardrails?: GuardrailsResult;
  access?: AccessGrant;
}

/** The deployment as one object, from either shape. */
function deploymentOf(state: VendState): Deployment {
  const { deployment } = state;
  if (!Array.isArray(deployment)) return deployment ?? {};
  return {
    stackSets: deployment.flatMap((branch) => branch.stackSets ?? []),
    ...deployment.reduce<Deployment>(
      (found, branch) => ({
        ...found,
        ...(branch.guardrails && { guardrails: branch.guardrails }),
        ...(branch.access && { access: branch.access }),
      }),
      {},
    ),
  };
}

/** Step 8: the summary of what the vend made, from the state machine's state. */
export function summarize(state: VendState, status: VendSummary['status']): VendSummary {
  const name =
    state.app?.request?.name ?? (typeof state.request?.name === 'string' ? state.request.name : '');
  const deployment = deploymentOf(state);
  const { guardrails, access } = deployment;
  // Keys in the documented order of `appvend vend --json`; absent parts are left out.
  const summary: VendSummary = {
    application: name,
    status,
    ...(state.ou && { organizationalUnit: { id: state.ou.id, name: state.ou.name } }),
    ...(state.scp && { serviceControlPolicy: { id: state.scp.id, name: state.scp.name } }),
    accounts: Object.fromEntries((state.accounts ?? []).map((a) => [a.stage, { id: a.id, email: a.email }])),
    stackSets: (deployment.stackSets ?? []).map((s) => ({
      name: s.name,
      accounts: s.accounts,
      status: s.state === 'DONE' ? 'CURRENT' : s.state,
    })),
    // What was registered; the polling's state (`state`, `poll`) stays out of the summary.
    ...(guardrails && {
      guardrails: { conformancePack: guardrails.conformancePack, accounts: guardrails.accounts },
    }),
  };
  if (
    access &&
    (access.grants.length > 0 || access.contacts.length > 0 || (access.removedContacts ?? []).length > 0)
  ) {
    summary.access = accessSummary(access, status === 'SUCCEEDED');
  }
  if (status === 'FAILED') summary.error = failureOf(state.failure);
  return summary;
}

/** The grants and contacts, and when the team can use them. */
function accessSummary(access: AccessGrant, released: boolean): VendAccessSummary {
  return {
    grants: access.grants.map(({ group, permissionSet, stage, accountId, outcome }) => ({
      group,
      permissionSet,
      stage,
      accountId,
      outcome,
    })),
    contacts: access.contacts,
    ...(access.removedContacts?.length && { removedContacts: access.removedContacts }),
    note: released
      ? 'The quarantine SCP held everyone but appvend out of new accounts until their baseline was in place; it was released at the end of this vend, so the groups can sign in now.'
      : "The quarantine SCP still holds everyone but appvend out of the new accounts until their baseline is released: the groups' assignments exist but let nobody in yet.",
  };
}

/** Step Functions hands a caught error over as `{Error, Cause}`; Cause is a Lambda's JSON error. */
export function failureOf(failure: VendState['failure']): { step: string; message: string } {
  const step = failure?.step ?? 'unknown';
  const cause = failure?.Cause;
  if (cause) {
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: string; message?: string };
      return { step, message: parsed.errorMessage ?? parsed.message ?? cause };
    } catch (error) {
      return { step, message: cause || errorMessage(error) };
    }
  }
  return { step, message: failure?.Error ?? 'unknown error' };
}
