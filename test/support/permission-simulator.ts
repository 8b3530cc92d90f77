import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { StepPermission } from '../../infra/service/step-permissions';

/** One AWS call a function makes: the action, the resource, and what AWS puts in the request. */
export interface SimulatedCall {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

/** The accounts and organization the questions are asked in. */
export interface SimulatedWorld {
  management: string;
  member: string;
  organizationId: string;
  /** Values of the stack's `Fn::Sub` variables (`${LedgerTable.Arn}` → an ARN). */
  variables: Record<string, string>;
}

/** The identity policy a function's role gets: its statements, with the `Fn::Sub` variables resolved. */
export function identityPolicy(permissions: readonly StepPermission[], variables: Record<string, string>) {
  const resolve = (body: string) =>
    body.replace(/\$\{([A-Za-z:.]+)\}/g, (match, variable: string) => variables[variable] ?? match);
  return {
    Version: '2012-10-17',
    Statement: permissions.map((p) => ({
      Sid: p.sid,
      Effect: 'Allow',
      Action: [...p.actions],
      Resource: p.resources.map(resolve),
      ...(p.conditions ? { Condition: p.conditions } : {}),
    })),
  };
}

/** A resource policy that lets the management account do `action` (a role's trust, a key's policy). */
const trustManagement = (management: string, action: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${management}:root` }, Action: action }],
});

/**
 * `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`: what an IAM policy evaluator
 * (@cloud-copilot/iam-simulate) answers for the function `name` making `call`, with its role's
 * policy. The member role trusts the management account (as CreateAccount makes it), and a KMS
 * key's policy delegates to IAM (as CDK makes it).
 */
export async function decideCall(
  world: SimulatedWorld,
  name: string,
  permissions: readonly StepPermission[],
  call: SimulatedCall,
): Promise<string> {
  const principal = `arn:aws:iam::${world.management}:role/appvend-${name}-role`;
  const crossAccount = call.action === 'sts:AssumeRole' && call.resource.includes(`::${world.member}:`);
  const resourcePolicy = crossAccount
    ? trustManagement(world.management, 'sts:AssumeRole')
    : call.resource.startsWith('arn:aws:kms:')
      ? trustManagement(world.management, 'kms:*')
      : undefined;
  const result = await runSimulation(
    {
      request: {
        principal,
        action: call.action,
        resource: { resource: call.resource, accountId: crossAccount ? world.member : world.management },
        contextVariables: {
          'aws:PrincipalArn': principal,
          'aws:PrincipalAccount': world.management,
          'aws:PrincipalOrgID': world.organizationId,
          ...call.context,
        },
      },
      identityPolicies: [{ name, policy: identityPolicy(permissions, world.variables) }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy && { resourcePolicy }),
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(`${call.action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** One line per call, for readable expectations. */
export const describeCall = (fn: string, call: SimulatedCall): string =>
  `${fn} ${call.action} ${call.resource}${call.context ? ` ${JSON.stringify(call.context)}` : ''}`;
