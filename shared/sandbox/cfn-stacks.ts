import { membersBy } from './atomic';
import type * as cfn from '@aws-sdk/client-cloudformation';
import { requireMember, validationError } from './cfn-common';
import { stackNameOf } from './cfn-plan';
import { namedBuckets, namedRoles, parseTemplate } from './cfn-template';
import type { CallContext, HandlerTable, Out } from './context';
import { instancesByPlace, placeKey } from './state-indexes';

/**
 * The stacks StackSets made, as the account they run in sees them: a stack instance's stack is
 * found by its name or id in the caller's account and Region, and lists the resources its
 * deployed template has. Buckets and roles carry their resolved names as physical ids; other
 * resources an id made of the stack's name and their logical id.
 */
function listStackResources(
  input: cfn.ListStackResourcesCommandInput,
  ctx: CallContext,
): Out<cfn.ListStackResourcesCommandOutput> {
  const name = requireMember(input.StackName, 'stackName');
  const instance = membersBy(
    ctx.state.stackInstances,
    instancesByPlace,
    placeKey(ctx.caller.accountId, ctx.region),
  ).find((i) => i.deployed !== undefined && (i.stackId === name || stackNameOf(i) === name));
  if (!instance?.deployed) throw validationError(`Stack with id ${name} does not exist`);
  const deployed = instance.deployed;
  const stackName = stackNameOf(instance);
  const env = {
    accountId: instance.account,
    region: instance.region,
    stackName,
    parameters: deployed.parameters,
  };
  const template = parseTemplate(deployed.templateBody);
  const physical = new Map<string, string>([
    ...namedBuckets(template, env).map((b) => [b.logicalId, b.bucketName] as const),
    ...namedRoles(template, env).map((r) => [r.logicalId, r.roleName] as const),
  ]);
  return {
    StackResourceSummaries: Object.entries(deployed.resources).map(([logicalId, type]) => ({
      LogicalResourceId: logicalId,
      PhysicalResourceId: physical.get(logicalId) ?? `${stackName}-${logicalId}`,
      ResourceType: type,
      ResourceStatus: 'CREATE_COMPLETE',
      LastUpdatedTimestamp: new Date(deployed.at),
    })),
  };
}

export const STACK_HANDLERS: HandlerTable = {
  ListStackResources: listStackResources,
};
