/** The top-level steps of the state machine, as a person reads the progress. */
export const TOP_LEVEL_STEPS = [
  'ValidateRequest',
  'EnsureOrganizationalUnit',
  'EnsureServiceControlPolicy',
  'VendAccounts',
  'DeployStackSets',
  'ReleaseQuarantine',
  'Summarize',
] as const;
export type TopLevelStep = (typeof TOP_LEVEL_STEPS)[number];

const TOP_LEVEL = new Set<string>(TOP_LEVEL_STEPS);

/** The states before the first step (`infra/workflow/vend-state-machine.ts`). */
export const VEND_ENTRY_STATES: ReadonlySet<string> = new Set([
  'RequestIdGiven?',
  'Correlate',
  'CorrelateWithRequestId',
  'ResumeAt?',
]);

/**
 * The top-level step a state of the vend state machine belongs to: the states inside the accounts
 * Map and the stack set branches are named after what they work on (`CheckAccountCreation`,
 * `WaitPipeline`, …). A test checks that every state of the definition maps to one.
 */
export function topLevelStepOf(state: string): TopLevelStep | undefined {
  if (TOP_LEVEL.has(state)) return state as TopLevelStep;
  // The first states: what the log lines carry, then the Choice that sends a resumed vend to its
  // step; where a new vend validates.
  if (VEND_ENTRY_STATES.has(state)) return 'ValidateRequest';
  if (/^(FailedAt|SummarizeFailure$|VendFailed$)/.test(state)) return 'Summarize';
  // Stack set states first: `CrossAccountRoles` also contains "Account". The access branch
  // (GrantAccess, CheckAccessGrants, …) runs inside DeployStackSets too.
  if (/ArtifactStore|Pipeline|CrossAccountRoles|RolesBranch|Guardrails|ConformancePacks|Access/.test(state))
    return 'DeployStackSets';
  if (/Account/.test(state)) return 'VendAccounts';
  return undefined;
}
