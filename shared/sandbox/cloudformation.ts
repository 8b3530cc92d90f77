import { STACK_INSTANCE_HANDLERS } from './cfn-instances';
import { OPERATION_HANDLERS } from './cfn-operation-api';
import { STACK_HANDLERS } from './cfn-stacks';
import { STACK_SET_HANDLERS } from './cfn-stacksets';
import { ORGANIZATIONS_ACCESS_HANDLERS } from './cfn-organizations';
import type { HandlerTable } from './context';

/**
 * CloudFormation StackSets with self-managed and service-managed permissions. Stack sets live in
 * the calling account (service-managed ones in the management account) and Region; each change to instances is an asynchronous operation on the sandbox clock. The
 * stacks they make can be read from the accounts they run in.
 */
export const CLOUDFORMATION_HANDLERS: HandlerTable = {
  ...STACK_SET_HANDLERS,
  ...STACK_INSTANCE_HANDLERS,
  ...OPERATION_HANDLERS,
  ...STACK_HANDLERS,
  ...ORGANIZATIONS_ACCESS_HANDLERS,
};

export { stackSetOperationEvents } from './cfn-operations';
