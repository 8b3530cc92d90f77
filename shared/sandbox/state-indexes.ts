import { defineIndex } from './atomic';
import type {
  AccountState,
  AttachmentState,
  BucketState,
  ConfigAccountState,
  CreateAccountRequestState,
  OperationState,
  OuState,
  PolicyState,
  StackInstanceState,
  StackSetState,
} from './state';

/**
 * The ways the sandbox looks members of its records up (`membersBy`, `countBy` in atomic.ts),
 * each kept in step with the record instead of a scan of it on every call. A key marked `fixed`
 * reads only what never changes once the member is in the record.
 */

/** Accounts and OUs by the root or OU they are under (MoveAccount changes an account's). */
export const byParent = defineIndex<AccountState | OuState>((member) => member.parentId);

/** Accounts by their email address, compared as AWS compares them (case-insensitively). */
export const accountsByEmail = defineIndex<AccountState>((account) => account.email.toLowerCase());

export const accountsByStatus = defineIndex<AccountState>((account) => account.status);

export const createAccountRequestsByState = defineIndex<CreateAccountRequestState>(
  (request) => request.state,
);

export const attachmentsByTarget = defineIndex<AttachmentState>((a) => a.targetId, { fixed: true });

export const attachmentsByPolicy = defineIndex<AttachmentState>((a) => a.policyId, { fixed: true });

/** UpdatePolicy may rename a policy. */
export const policiesByName = defineIndex<PolicyState>((policy) => policy.name);

export const policiesByType = defineIndex<PolicyState>((policy) => policy.type, { fixed: true });

export const stackSetsByName = defineIndex<StackSetState>((stackSet) => stackSet.name, { fixed: true });

export const instancesByStackSet = defineIndex<StackInstanceState>((instance) => instance.stackSetId, {
  fixed: true,
});

/** Stack instances by where their stack is: `placeKey(account, region)`. */
export const instancesByPlace = defineIndex<StackInstanceState>(
  (instance) => placeKey(instance.account, instance.region),
  { fixed: true },
);

export const placeKey = (account: string, region: string): string => `${account}|${region}`;

export const operationsByStackSet = defineIndex<OperationState>((op) => op.stackSetId, { fixed: true });

export const operationsByStatus = defineIndex<OperationState>((op) => op.status);

/** A stack set's instance deleting its stack with RetainStacks leaves its buckets without a creator. */
export const bucketsByCreator = defineIndex<BucketState>((bucket) => bucket.createdBy);

const deploying = (pack: { state: string }) => pack.state === 'CREATE_IN_PROGRESS';

/** The Config settings (of an account and Region) with a conformance pack being deployed. */
export const configsDeployingPacks = defineIndex<ConfigAccountState>(
  (config) => Object.values(config.conformancePacks).some(deploying),
  { watch: (config) => [config.conformancePacks, ...Object.values(config.conformancePacks)] },
);
