import { join } from 'node:path';
import { vendStateMachineDefinition } from '../../infra/workflow/asl';
import { configureAws } from '../../shared/aws/client-factory';
import { VirtualClock } from '../../shared/clock/clock';
import { Sandbox } from '../../shared/sandbox';
import { runVend, type VendRun } from '../../cli/vend';

/** The templates `npm run build` synthesized; the tests deploy exactly what the CLI ships. */
export const TEMPLATES_DIR = join(__dirname, '../../dist/stacksets');

let definition: Record<string, unknown> | undefined;
/** The state machine's ASL as CDK defines it (built once per test file). */
export function workflowDefinition(): Record<string, unknown> {
  definition ??= vendStateMachineDefinition();
  return definition;
}

/** The settings a deployed service would get from its environment. */
export function setWorkflowEnvironment(managementAccountId: string, region = 'us-east-1'): void {
  process.env.AWS_REGION = region;
  process.env.APPVEND_MANAGEMENT_ACCOUNT_ID = managementAccountId;
  process.env.APPVEND_NOTIFICATION_TOPIC_ARN = `arn:aws:sns:${region}:${managementAccountId}:appvend-security-notifications`;
  process.env.APPVEND_CONFIG_BUCKET = `appvend-config-${managementAccountId}`;
  process.env.APPVEND_TEMPLATES_DIR = TEMPLATES_DIR;
  delete process.env.APPVEND_PARENT_OU_ID;
}

export interface SandboxWorld {
  sandbox: Sandbox;
  clock: VirtualClock;
  vend(request: unknown): Promise<VendRun>;
}

/** A fresh sandbox organization with the AWS clients pointed at it. */
export function sandboxWorld(options: { sandbox?: Sandbox; clock?: VirtualClock } = {}): SandboxWorld {
  const clock = options.clock ?? new VirtualClock();
  const sandbox = options.sandbox ?? new Sandbox({ clock });
  configureAws({
    region: 'us-east-1',
    plugins: [sandbox.plugin()],
    credentials: sandbox.managementCredentials,
    maxAttempts: 3,
  });
  setWorkflowEnvironment(sandbox.organization().MasterAccountId as string);
  return {
    sandbox,
    clock,
    vend: (request) => runVend({ request, definition: workflowDefinition(), clock }),
  };
}
