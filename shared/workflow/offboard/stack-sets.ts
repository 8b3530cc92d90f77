import type { ClientFactory } from '../../aws/client-factory';
import { removeStackSet } from '../../aws/stack-set-removal';
import { STACK_SET_POLL_POLICY, nextPoll } from '../../domain/polling';
import type { StackSetRemoval } from './types';

/**
 * One step of a stack set's removal: an instance deletion started (the state machine waits and
 * follows it with the vend's check step, then comes back), or the stack set gone, absent or left
 * alone. Instances go before the stack set: CloudFormation refuses to delete a stack set that has any.
 */
export async function removeApplicationStackSet(
  clients: ClientFactory,
  params: { name: string; application: string },
): Promise<StackSetRemoval> {
  const progress = await removeStackSet(clients.cloudFormation(), params);
  if (progress.state === 'RUNNING') {
    return {
      name: params.name,
      state: 'RUNNING',
      operationId: progress.operationId,
      action: progress.action,
      accounts: progress.accounts,
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
