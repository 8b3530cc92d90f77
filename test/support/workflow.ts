import { configDeliveryBucketPolicy } from '../../shared/domain/config-delivery';
import { join } from 'node:path';
import { definitionOf } from '../setup/definitions';
import { configureAws, type AnyPluggable } from '../../shared/aws/client-factory';
import { VirtualClock } from '../../shared/clock/clock';
import { Sandbox, SandboxRequestSigner, sandboxRetryStrategy } from '../../shared/sandbox';
import { runVend, type VendRun } from '../../cli/vend';
import { useStsCallerIdentity } from '../../shared/aws/caller-identity';
import { configureLedger } from '../../shared/ledger';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';

/** The templates `npm run build` synthesized; the tests deploy exactly what the CLI ships. */
export const TEMPLATES_DIR = join(__dirname, '../../dist/stacksets');

let definition: Record<string, unknown> | undefined;
/** The state machine's ASL as CDK defines it (synthesized once per jest run: test/setup/definitions.ts). */
export function workflowDefinition(): Record<string, unknown> {
  definition ??= definitionOf('vend');
  return definition;
}

/** The settings a deployed service would get from its environment. */
export function setWorkflowEnvironment(managementAccountId: string, region = 'us-east-1'): void {
  process.env.AWS_REGION = region;
  process.env.APPVEND_MANAGEMENT_ACCOUNT_ID = managementAccountId;
  process.env.APPVEND_NOTIFICATION_TOPIC_ARN = `arn:aws:sns:${region}:${managementAccountId}:appvend-security-notifications`;
  process.env.APPVEND_CONFIG_BUCKET = `appvend-config-${managementAccountId}`;
  process.env.APPVEND_TEMPLATES_DIR = TEMPLATES_DIR;
  process.env.APPVEND_LEDGER_TABLE = 'appvend-ledger';
  process.env.APPVEND_EVENT_BUS_NAME = 'appvend';
  process.env.APPVEND_VEND_TOPIC_ARN = `arn:aws:sns:${region}:${managementAccountId}:appvend-notifications`;
  delete process.env.APPVEND_PARENT_OU_ID;
}

export interface SandboxWorld {
  sandbox: Sandbox;
  clock: VirtualClock;
  /** The ledger the workflow's Summarize step records into (in memory). */
  ledger: Ledger;
  vend(request: unknown): Promise<VendRun>;
}

/** A fresh sandbox organization with the AWS clients pointed at it. */
export function sandboxWorld(
  options: {
    sandbox?: Sandbox;
    clock?: VirtualClock;
    /** More SDK plugins for every client, applied before the sandbox's (e.g. to count calls). */
    plugins?: AnyPluggable[];
  } = {},
): SandboxWorld {
  const clock = options.clock ?? new VirtualClock();
  const sandbox = options.sandbox ?? new Sandbox({ clock });
  // Not a deployed function (no APPVEND_FUNCTION_ROLE_ARN): who it is, STS says, as for the CLI.
  // Also here, not only in jest's setup, for the fault matrix's own runner (test/faults/main.ts).
  useStsCallerIdentity();
  configureAws({
    region: 'us-east-1',
    plugins: [...(options.plugins ?? []), sandbox.plugin()],
    credentials: sandbox.managementCredentials,
    maxAttempts: 3,
    retryStrategy: sandboxRetryStrategy,
    signerConstructor: SandboxRequestSigner,
    now: () => clock.now(),
  });
  setWorkflowEnvironment(sandbox.organization().MasterAccountId as string);
  if (!options.sandbox) sandbox.setUpSampleIdentityCenter();
  // The delivery bucket an operator makes, with the README's policy: AWS Config's delivery check
  // on PutDeliveryChannel reads it.
  const bucket = process.env.APPVEND_CONFIG_BUCKET!;
  sandbox.putExternalBucket({
    name: bucket,
    account: sandbox.organization().MasterAccountId as string,
    policy: configDeliveryBucketPolicy(bucket, sandbox.organization().Id as string),
  });
  const ledger = new Ledger(new MemoryLedgerStore(), () => new Date(clock.now()));
  configureLedger(ledger);
  return {
    sandbox,
    clock,
    ledger,
    vend: (request) => runVend({ input: { request }, definition: workflowDefinition(), clock }),
  };
}
