import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VirtualClock, WallClock, type Clock } from '../shared/clock/clock';
import { useStsCallerIdentity } from '../shared/aws/caller-identity';
import { configureAws, managementClient } from '../shared/aws/client-factory';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { configureLedger } from '../shared/ledger';
import { DynamoDbLedgerStore } from '../shared/ledger/dynamodb-store';
import { Ledger } from '../shared/ledger/ledger';
import { MemoryLedgerStore } from '../shared/ledger/memory-store';
import { actorOf, parsePlatformAdmins, principalOf, type Actor } from '../shared/ledger/principal';
import { LEDGER_TABLE_NAME } from '../shared/ledger/record';
import {
  Sandbox,
  SandboxRequestSigner,
  sandboxRetryStrategy,
  type LatencyModel,
  type SandboxStateJson,
} from '../shared/sandbox';
import { SUSPENDED_OU_ID, addSuspendedOu } from '../shared/sandbox/seed';
import { checkDeploymentRegion } from '../shared/domain/regions';
import { configDeliveryBucketPolicy } from '../shared/domain/config-delivery';
import { ensureServiceResources } from './service-resources';
import { acquireStateLock, type StateLock } from './state-lock';
import { applyStackOutputs, describeServiceStack, describeSources, serviceStackName } from './stack-outputs';

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
  /** For `sandbox`: keep nothing on disk (the benchmark): no ledger file, `save` does nothing. */
  inMemory?: boolean;
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
  /** Lets go of what the command holds (the state directory's lock); `main` calls it at the end. */
  close(): void;
}

interface SavedSandbox {
  version: 1;
  clock: number;
  sandbox: SandboxStateJson;
}

/**
 * Each sandbox state file has its own ledger beside it, named after it: `.appvend/sandbox.json` →
 * `.appvend/sandbox.ledger.json`, `dir/a.json` → `dir/a.ledger.json`; so `--fresh` on one state
 * never wipes another's applications.
 */
export const ledgerFileOf = (stateFile: string): string =>
  join(dirname(stateFile), `${basename(stateFile).replace(/\.json$/, '')}.ledger.json`);

/** Where every state file's ledger used to be: one `ledger.json` per directory. */
const legacyLedgerFileOf = (stateFile: string): string => join(dirname(stateFile), 'ledger.json');

/**
 * A state directory written by an older appvend has one `ledger.json`; it belongs to the default
 * state file `sandbox.json`, the only one most users had, and is renamed to that file's ledger.
 */
function adoptLegacyLedger(stateFile: string): void {
  const legacy = legacyLedgerFileOf(stateFile);
  const own = ledgerFileOf(stateFile);
  if (basename(stateFile) === 'sandbox.json' && existsSync(legacy) && !existsSync(own)) {
    renameSync(legacy, own);
  }
}

function loadSandbox(options: BackendOptions): { clock: VirtualClock; sandbox: Sandbox } {
  adoptLegacyLedger(options.stateFile);
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
  // A new organization, as a platform team has it before appvend runs, with the suspended OU and
  // its deny-all SCP that offboarding moves accounts to.
  const clock = new VirtualClock();
  const state = new Sandbox({ clock }).toJSON();
  addSuspendedOu(state);
  const sandbox = new Sandbox({ clock, state, region: options.region, latency: options.latency });
  // The sample organization's administrator has enabled Identity Center (groups and permission
  // sets the access sample names) and trusted access for alternate contacts.
  sandbox.setUpSampleIdentityCenter();
  return { clock, sandbox };
}

/**
 * Writes through a temporary file, so an interrupted save never leaves a broken state file. The
 * temporary file's name is this write's own, so no two writers ever rename each other's.
 */
export function saveAtomically(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** Emulators accept any credentials; keep the caller's if set, so a LocalStack profile works. */
export function emulatorCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY }
    : { accessKeyId: 'testing', secretAccessKey: 'testing' };
}

/** Backends a command opened and has yet to close: `closeOpenedBackends` closes them. */
const opened = new Set<Backend>();

/** Closes every backend `openChosenBackend` opened (releasing their locks); `main` calls it last. */
export function closeOpenedBackends(): void {
  for (const backend of opened) backend.close();
  opened.clear();
}

/**
 * The backend a command's parsed BACKEND_OPTIONS (and its --region) choose. On the sandbox the
 * command first takes its state directory's lock, waiting while another command holds it, so
 * that no two commands ever write one organization or ledger at once.
 */
export async function openChosenBackend(
  kind: BackendKind,
  values: { endpoint?: string; state?: string; region?: string },
  extra: Pick<BackendOptions, 'fresh' | 'latency'> = {},
  command = 'appvend',
): Promise<Backend> {
  // --state always has a value: BACKEND_OPTIONS gives it a default.
  const stateFile = values.state!;
  let lock: StateLock | undefined;
  if (kind === 'sandbox') {
    // The Region is checked first: a refused one changes nothing, not even a lock file.
    chosenRegion(values.region);
    lock = await acquireStateLock(dirname(stateFile), command, (holder, file) =>
      process.stderr.write(
        `appvend: waiting for ${file}: another appvend (${holder ? `pid ${holder.pid}, ${holder.command}, since ${holder.since}` : 'starting'}) is using this state directory\n`,
      ),
    );
  }
  try {
    const backend = await openBackend({
      kind,
      endpoint: values.endpoint,
      stateFile,
      region: values.region,
      ...extra,
    });
    const close = backend.close;
    backend.close = () => {
      close();
      lock?.release();
      opened.delete(backend);
    };
    opened.add(backend);
    return backend;
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/**
 * The Region of a command: `--region`, else `$AWS_REGION`, else us-east-1. Refused before any AWS
 * call (or any change to the sandbox's files) when appvend cannot deploy there.
 */
export function chosenRegion(option: string | undefined): string {
  return checkDeploymentRegion(option ?? process.env.AWS_REGION ?? 'us-east-1');
}

/**
 * Points the AWS clients at the chosen backend (nothing is written anywhere: `appvend doctor` uses
 * this alone). A new sandbox organization gets the Config delivery bucket a platform team would
 * have made (see docs/deploy.md), with the policy appvend's recorders need.
 */
export function connectBackend(options: BackendOptions): { region: string; clock: Clock; sandbox?: Sandbox } {
  const region = chosenRegion(options.region);
  process.env.AWS_REGION = region;
  // The CLI is no deployed function: it learns who it is from STS.
  useStsCallerIdentity();
  let clock: Clock;
  let sandbox: Sandbox | undefined;
  if (options.kind === 'sandbox') {
    const isNew = options.fresh === true || !existsSync(options.stateFile);
    ({ clock, sandbox } = loadSandbox({ ...options, region }));
    if (isNew) sandbox = withPrerequisites(sandbox, clock as VirtualClock, options, region);
    const sandboxClock = clock;
    configureAws({
      region,
      plugins: [sandbox.plugin()],
      retryStrategy: sandboxRetryStrategy,
      signerConstructor: SandboxRequestSigner,
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
  return { region, clock, ...(sandbox && { sandbox }) };
}

/**
 * A new sandbox organization as docs/deploy.md leaves one: sharing within the organization
 * enabled for AWS RAM, and the Config delivery bucket with the policy appvend's recorders need.
 */
function withPrerequisites(
  sandbox: Sandbox,
  clock: VirtualClock,
  options: BackendOptions,
  region: string,
): Sandbox {
  const state = sandbox.toJSON();
  const { id, managementAccountId } = state.organization;
  const bucket = process.env.APPVEND_CONFIG_BUCKET ?? defaultConfigBucket(managementAccountId);
  state.ramSharingWithOrganization = true;
  const prepared = new Sandbox({ clock, state, region, latency: options.latency });
  prepared.putExternalBucket({
    name: bucket,
    account: managementAccountId,
    policy: configDeliveryBucketPolicy(bucket, id),
  });
  return prepared;
}

/** The CLI's Config bucket when neither the stack nor the environment names one. */
export const defaultConfigBucket = (account: string): string => `appvend-config-${account}`;

/**
 * On `--aws`, the deployed service stack's outputs (DescribeStacks) fill the settings; where the
 * stack has none, the environment's; the defaults below otherwise. Says which on stderr.
 */
async function applyServiceStack(): Promise<void> {
  const name = serviceStackName();
  const stack = await describeServiceStack(name);
  process.stderr.write(describeSources(name, stack && applyStackOutputs(stack.outputs)));
}

/**
 * Points the AWS clients at the chosen backend and fills the settings a deployed service gets
 * from its environment (management account, notification topic, Config bucket): on `--aws` from
 * the service stack's outputs, else from the environment, else with defaults.
 */
export async function openBackend(options: BackendOptions): Promise<Backend> {
  const { region, clock, sandbox } = connectBackend(options);
  if (options.kind === 'aws') await applyServiceStack();

  const { Account, Arn } = await managementClient(STSClient).send(new GetCallerIdentityCommand({}));
  if (!Account) throw new Error('GetCallerIdentity returned no account');
  const principal = Arn && principalOf(Arn);
  if (!principal) throw new Error(`GetCallerIdentity returned "${Arn ?? ''}", which is no IAM principal`);
  const actor = actorOf(principal, parsePlatformAdmins(process.env.APPVEND_PLATFORM_ADMINS));
  process.env.APPVEND_MANAGEMENT_ACCOUNT_ID ??= Account;
  // On the sandbox, offboarding's suspended OU is the one its new organization has.
  if (sandbox?.ous().some((ou) => ou.id === SUSPENDED_OU_ID))
    process.env.APPVEND_SUSPENDED_OU_ID ??= SUSPENDED_OU_ID;
  // The stack's names (infra/service/notification-topics.ts), when no stack output or variable says.
  process.env.APPVEND_NOTIFICATION_TOPIC_ARN ??= `arn:aws:sns:${region}:${Account}:appvend-security-findings`;
  process.env.APPVEND_CONFIG_BUCKET ??= defaultConfigBucket(Account);
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
  const saveSandbox = () => {
    if (sandbox && clock instanceof VirtualClock && !options.inMemory) {
      const saved: SavedSandbox = { version: 1, clock: clock.now(), sandbox: sandbox.toJSON() };
      saveAtomically(options.stateFile, JSON.stringify(saved));
    }
  };
  const ledger = new Ledger(
    sandbox
      ? // The organization is saved before every ledger write: a kill between the two can leave
        // a ledger behind the organization (the next vend converges), never one that says
        // SUCCEEDED or OFFBOARDED for changes the saved organization does not have.
        new MemoryLedgerStore(options.inMemory ? undefined : ledgerFileOf(options.stateFile), {
          beforeSave: saveSandbox,
        })
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
    save: saveSandbox,
    close: () => undefined,
  };
}
