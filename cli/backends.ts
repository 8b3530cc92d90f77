import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VirtualClock, WallClock, type Clock } from '../shared/clock/clock';
import { awsClients, configureAws, managementClient } from '../shared/aws/client-factory';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { configureLedger } from '../shared/ledger';
import { DynamoDbLedgerStore } from '../shared/ledger/dynamodb-store';
import { Ledger } from '../shared/ledger/ledger';
import { MemoryLedgerStore } from '../shared/ledger/memory-store';
import { actorOf, parsePlatformAdmins, principalOf, type Actor } from '../shared/ledger/principal';
import { LEDGER_TABLE_NAME } from '../shared/ledger/record';
import { Sandbox, type LatencyModel, type SandboxStateJson } from '../shared/sandbox';
import { checkDeploymentRegion } from '../shared/domain/regions';
import { ensureServiceResources } from './service-resources';

export type BackendKind = 'sandbox' | 'endpoint' | 'aws';

export interface BackendOptions {
  kind: BackendKind;
  /** For `endpoint`: the AWS-compatible endpoint URL. */
  endpoint?: string;
  /** For `sandbox`: where the organization is kept between runs. */
  stateFile: string;
  /** For `sandbox`: start from an empty organization. */
  fresh?: boolean;
  region?: string;
  /** For `sandbox`: overrides of its latency model (`--latency`). */
  latency?: Partial<LatencyModel>;
}

export interface Backend {
  kind: BackendKind;
  clock: Clock;
  sandbox?: Sandbox;
  managementAccountId: string;
  /** The ledger of applications: a file beside the sandbox's state, or the DynamoDB table. */
  ledger: Ledger;
  /**
   * Who runs the command, as the ledger records and checks it: the caller STS names
   * (GetCallerIdentity, an assumed-role session normalized to its role), a platform administrator
   * when `APPVEND_PLATFORM_ADMINS` lists it.
   */
  actor: Actor;
  /** Saves what must outlive the run (the sandbox's organization). */
  save(): void;
}

interface SavedSandbox {
  version: 1;
  clock: number;
  sandbox: SandboxStateJson;
}

/** The sandbox's ledger lives beside its organization: `.appvend/ledger.json`. */
export const ledgerFileOf = (stateFile: string): string => join(dirname(stateFile), 'ledger.json');

function loadSandbox(options: BackendOptions): { clock: VirtualClock; sandbox: Sandbox } {
  if (options.fresh) {
    rmSync(options.stateFile, { force: true });
    rmSync(ledgerFileOf(options.stateFile), { force: true });
  }
  if (existsSync(options.stateFile)) {
    let saved: SavedSandbox;
    try {
      saved = JSON.parse(readFileSync(options.stateFile, 'utf8')) as SavedSandbox;
    } catch (error) {
      throw new Error(`Cannot read the sandbox state ${options.stateFile}; use --fresh to start over`, {
        cause: error,
      });
    }
    const clock = new VirtualClock(saved.clock);
    return {
      clock,
      sandbox: new Sandbox({ clock, state: saved.sandbox, region: options.region, latency: options.latency }),
    };
  }
  const clock = new VirtualClock();
  const sandbox = new Sandbox({ clock, region: options.region, latency: options.latency });
  // The sample organization's administrator has enabled Identity Center (groups and permission
  // sets the access sample names) and trusted access for alternate contacts.
  sandbox.setUpSampleIdentityCenter();
  return { clock, sandbox };
}

/** Writes through a temporary file, so an interrupted save never leaves a broken state file. */
function saveAtomically(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** Emulators accept any credentials; keep the caller's if set, so a LocalStack profile works. */
export function emulatorCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY }
    : { accessKeyId: 'testing', secretAccessKey: 'testing' };
}

/** The backend a command's parsed BACKEND_OPTIONS (and its --region) choose. */
export function openChosenBackend(
  kind: BackendKind,
  values: { endpoint?: string; state?: string; region?: string },
  extra: Pick<BackendOptions, 'fresh' | 'latency'> = {},
): Promise<Backend> {
  // --state always has a value: BACKEND_OPTIONS gives it a default.
  return openBackend({
    kind,
    endpoint: values.endpoint,
    stateFile: values.state!,
    region: values.region,
    ...extra,
  });
}

/**
 * The Region of a command: `--region`, else `$AWS_REGION`, else us-east-1. Refused before any AWS
 * call (or any change to the sandbox's files) when appvend cannot deploy there.
 */
export function chosenRegion(option: string | undefined): string {
  return checkDeploymentRegion(option ?? process.env.AWS_REGION ?? 'us-east-1');
}

/**
 * Points the AWS clients at the chosen backend and fills the settings a deployed service gets
 * from its environment (management account, notification topic, Config bucket) with defaults.
 */
export async function openBackend(options: BackendOptions): Promise<Backend> {
  const region = chosenRegion(options.region);
  process.env.AWS_REGION = region;
  let clock: Clock;
  let sandbox: Sandbox | undefined;
  if (options.kind === 'sandbox') {
    ({ clock, sandbox } = loadSandbox({ ...options, region }));
    const sandboxClock = clock;
    configureAws({
      region,
      plugins: [sandbox.plugin()],
      credentials: sandbox.managementCredentials,
      now: () => sandboxClock.now(),
    });
  } else if (options.kind === 'endpoint') {
    if (!options.endpoint) throw new Error('--endpoint needs a URL');
    // Emulators finish long operations at once: a virtual clock skips the waits between polls.
    clock = new VirtualClock(Date.now());
    configureAws({ region, endpoint: options.endpoint, credentials: emulatorCredentials() });
  } else {
    clock = new WallClock();
    configureAws({ region });
  }

  const { Account, Arn } = await awsClients().sts().send(new GetCallerIdentityCommand({}));
  if (!Account) throw new Error('GetCallerIdentity returned no account');
  const principal = Arn && principalOf(Arn);
  if (!principal) throw new Error(`GetCallerIdentity returned "${Arn ?? ''}", which is no IAM principal`);
  const actor = actorOf(principal, parsePlatformAdmins(process.env.APPVEND_PLATFORM_ADMINS));
  process.env.APPVEND_MANAGEMENT_ACCOUNT_ID ??= Account;
  process.env.APPVEND_NOTIFICATION_TOPIC_ARN ??= `arn:aws:sns:${region}:${Account}:appvend-security-notifications`;
  process.env.APPVEND_CONFIG_BUCKET ??= `appvend-config-${Account}`;
  process.env.APPVEND_LEDGER_TABLE ??= LEDGER_TABLE_NAME;
  process.env.APPVEND_EVENT_BUS_NAME ??= 'appvend';
  process.env.APPVEND_VEND_TOPIC_ARN ??= `arn:aws:sns:${region}:${Account}:appvend-notifications`;
  if (options.kind === 'endpoint') {
    const { topicArn } = await ensureServiceResources({
      ledgerTable: process.env.APPVEND_LEDGER_TABLE,
      eventBus: process.env.APPVEND_EVENT_BUS_NAME,
      topicName: process.env.APPVEND_VEND_TOPIC_ARN.split(':').pop()!,
    });
    process.env.APPVEND_VEND_TOPIC_ARN = topicArn;
  }
  const ledger = new Ledger(
    sandbox
      ? new MemoryLedgerStore(ledgerFileOf(options.stateFile))
      : new DynamoDbLedgerStore(managementClient(DynamoDBClient), process.env.APPVEND_LEDGER_TABLE),
  );
  // The workflow's Summarize step records outcomes into the same ledger.
  configureLedger(ledger);

  return {
    kind: options.kind,
    clock,
    sandbox,
    managementAccountId: Account,
    ledger,
    actor,
    save: () => {
      if (sandbox && clock instanceof VirtualClock) {
        const saved: SavedSandbox = { version: 1, clock: clock.now(), sandbox: sandbox.toJSON() };
        saveAtomically(options.stateFile, JSON.stringify(saved));
      }
    },
  };
}
