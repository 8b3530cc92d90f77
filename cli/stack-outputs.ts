import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { managementClient } from '../shared/aws/client-factory';

/** The service stack's name (`infra/service/index.ts`); `APPVEND_STACK_NAME` names another. */
export const DEFAULT_SERVICE_STACK = 'AppvendService';

export const serviceStackName = (env: NodeJS.ProcessEnv = process.env): string =>
  env.APPVEND_STACK_NAME ?? DEFAULT_SERVICE_STACK;

/**
 * Which output of the service stack (`infra/service/service-stack.ts`) fills which setting of the
 * CLI: the same variables the deployed functions get in their environment.
 */
export const OUTPUT_SETTINGS: Readonly<Record<string, string>> = {
  SecurityFindingsTopicArn: 'APPVEND_NOTIFICATION_TOPIC_ARN',
  NotificationTopicArn: 'APPVEND_VEND_TOPIC_ARN',
  ConfigDeliveryBucketName: 'APPVEND_CONFIG_BUCKET',
  StackSetsMode: 'APPVEND_STACKSETS_MODE',
  StackSetAdministrationRoleName: 'APPVEND_STACKSET_ADMIN_ROLE_NAME',
  StackSetExecutionRoleName: 'APPVEND_STACKSET_EXECUTION_ROLE_NAME',
  MemberRoleName: 'APPVEND_MEMBER_ROLE',
  LedgerTableName: 'APPVEND_LEDGER_TABLE',
  EventBusName: 'APPVEND_EVENT_BUS_NAME',
  ParentOuId: 'APPVEND_PARENT_OU_ID',
  SuspendedOuId: 'APPVEND_SUSPENDED_OU_ID',
  AccountQuota: 'APPVEND_ACCOUNT_QUOTA',
  ScpSizeQuota: 'APPVEND_SCP_SIZE_QUOTA',
  ScpAttachmentQuota: 'APPVEND_SCP_ATTACHMENT_QUOTA',
  ClosureShare: 'APPVEND_CLOSURE_SHARE',
  PlatformAdmins: 'APPVEND_PLATFORM_ADMINS',
};

export interface ServiceStack {
  name: string;
  status: string;
  outputs: Record<string, string>;
}

/**
 * The deployed service stack: its status and outputs (DescribeStacks, read-only), or undefined
 * when there is no stack of that name. CloudFormation answers a missing stack with a
 * ValidationError "Stack with id … does not exist".
 */
export async function describeServiceStack(
  name: string = serviceStackName(),
  client: CloudFormationClient = managementClient(CloudFormationClient),
): Promise<ServiceStack | undefined> {
  let stack: Stack | undefined;
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: name }));
    stack = Stacks?.[0];
  } catch (error) {
    if (error instanceof CloudFormationServiceException && /does not exist/.test(error.message))
      return undefined;
    throw error;
  }
  if (!stack) return undefined;
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  return { name, status: stack.StackStatus ?? 'UNKNOWN', outputs };
}

/** Where one setting came from. */
export interface SettingSource {
  variable: string;
  value: string;
  source: 'stack' | 'environment';
  /** An environment value the stack's output replaced (a stale or guessed setting). */
  replaced?: string;
}

/**
 * Fills the CLI's settings from the stack's outputs: the deployed service is the truth, so an
 * output wins over an environment variable that says otherwise (reported as `replaced`); a
 * setting the stack has no output for keeps the environment's value.
 */
export function applyStackOutputs(
  outputs: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): SettingSource[] {
  const sources: SettingSource[] = [];
  for (const [output, variable] of Object.entries(OUTPUT_SETTINGS)) {
    const fromStack = outputs[output];
    const before = env[variable];
    if (fromStack !== undefined) {
      env[variable] = fromStack;
      sources.push({
        variable,
        value: fromStack,
        source: 'stack',
        ...(before !== undefined && before !== fromStack && { replaced: before }),
      });
    } else if (before !== undefined) {
      sources.push({ variable, value: before, source: 'environment' });
    }
  }
  return sources;
}

/** One line saying where the settings came from, for stderr. */
export function describeSources(stack: string, sources: SettingSource[] | undefined): string {
  if (!sources) {
    return `appvend: no stack ${stack} in this account and Region; settings from the environment and defaults\n`;
  }
  const fromEnv = sources.filter((s) => s.source === 'environment').map((s) => s.variable);
  const lines = [
    `appvend: settings from stack ${stack}'s outputs` +
      (fromEnv.length > 0 ? `; from the environment: ${fromEnv.join(', ')}` : ''),
  ];
  for (const s of sources.filter((s) => s.replaced !== undefined)) {
    lines.push(`appvend: ${s.variable}=${s.replaced} differs from the stack; using ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}
