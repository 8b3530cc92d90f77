import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import type { ClientFactory } from '../../aws/client-factory';
import { emptyBucket, stackBuckets, stopAccessLogging } from '../../aws/stack-buckets';
import { removeStackSet, type PrepareDeletion } from '../../aws/stack-set-removal';
import { stackSetsCallAs, type StackSetsMode } from '../../aws/stack-set-permissions';
import { STACK_SET_POLL_POLICY, nextPoll } from '../../domain/polling';
import type { StackSetRemoval } from './types';

/**
 * Pages of 1,000 object versions one call removes, across buckets: well inside a Lambda's time
 * (each page is one ListObjectVersions and one DeleteObjects), and the state machine calls again
 * for the rest.
 */
export const EMPTYING_PAGES_PER_CALL = 20;

/**
 * Empties, through each account's access role, the buckets the instances' stacks created (the
 * artifact store's artifact and access-log buckets), which CloudFormation would otherwise refuse
 * to delete. Access logging goes off first on each of them: the emptying's own requests would
 * otherwise refill the log bucket. Stack instances run in the home Region, where the member
 * clients are made.
 */
export function emptyStackBuckets(clients: ClientFactory): PrepareDeletion {
  return async (instances) => {
    let left = EMPTYING_PAGES_PER_CALL;
    let removed = 0;
    for (const instance of instances) {
      if (!instance.stackId) continue;
      const cloudFormation = await clients.memberClient(CloudFormationClient, instance.account);
      const buckets = await stackBuckets(cloudFormation, instance.stackId);
      if (buckets.length === 0) continue;
      const s3 = await clients.memberClient(S3Client, instance.account);
      for (const bucket of buckets) await stopAccessLogging(s3, bucket);
      for (const bucket of buckets) {
        if (left === 0) return { ready: false, removed };
        const progress = await emptyBucket(s3, bucket, left);
        left -= progress.pages;
        removed += progress.removed;
        if (!progress.empty) return { ready: false, removed };
      }
    }
    return { ready: true, removed };
  };
}

/**
 * One step of a stack set's removal: buckets being emptied (the state machine calls again at once),
 * an instance deletion started (it waits and follows it with the vend's check step, then comes
 * back), or the stack set gone, absent or left alone. Instances go before the stack set:
 * CloudFormation refuses to delete a stack set that has any.
 */
export async function removeApplicationStackSet(
  clients: ClientFactory,
  params: { name: string; application: string },
  settings: { stackSetsMode?: StackSetsMode; managementAccountId?: string } = {},
): Promise<StackSetRemoval> {
  const callAs = await stackSetsCallAs(clients, {
    mode: settings.stackSetsMode ?? 'SELF_MANAGED',
    ...(settings.managementAccountId && { managementAccountId: settings.managementAccountId }),
  });
  const progress = await removeStackSet(
    clients.managementClient(CloudFormationClient),
    { ...params, ...(callAs && { callAs }) },
    emptyStackBuckets(clients),
  );
  if (progress.state === 'PREPARING') {
    return {
      name: params.name,
      state: 'PREPARING',
      accounts: progress.accounts,
      emptied: progress.removed,
    };
  }
  if (progress.state === 'RUNNING') {
    return {
      name: params.name,
      state: 'RUNNING',
      operationId: progress.operationId,
      action: progress.action,
      accounts: progress.accounts,
      // A deletion that meets a bucket refilled by late access logs goes back to emptying it.
      retryRefilledBuckets: true,
      ...(callAs && { callAs }),
      poll: nextPoll(STACK_SET_POLL_POLICY),
    };
  }
  return {
    name: params.name,
    state: 'DONE',
    outcome: progress.outcome,
    ...(progress.outcome === 'kept' && { reason: progress.reason }),
    accounts: [],
  };
}
