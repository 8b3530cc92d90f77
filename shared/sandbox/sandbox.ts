import type { AwsCredentialIdentity, MetadataBearer, Pluggable } from '@smithy/types';
import type { Clock } from '../clock/clock';
import { atomically, changedOutsideCalls, tracked } from './atomic';
import { DEFAULT_CREATE_ACCOUNT_QUOTA, DEFAULT_POLICY_SIZE_QUOTA } from './aws-constants';
import type { Caller, CallContext, Handler, SandboxSettings } from './context';
import { NotImplementedInSandbox, SandboxGap, awsError, type ServiceName } from './errors';
import { FaultInjector, faultError, serviceKey } from './faults';
import { issueSession, managementCredentials, resolveCaller } from './identity';
import { HANDLERS, SERVICE_BY_CLIENT, isMutating } from './handlers';
import { UuidKind, uuid } from './ids';
import { resolveLatency, type LatencyModel } from './latency-model';
import { sandboxPlugin, type WireCall } from './middleware';
import { policyArn } from './org-common';
import { rolePrincipalArn, scpDenyingEverything } from './scp-evaluation';
import { SAMPLE_IDENTITY_CENTER, initialState } from './seed';
import { Settler } from './settle';
import { groupId, identityStoreId, instanceArn, permissionSetArn } from './identity-center';
import type {
  AlternateContactsState,
  IdentityCenterState,
  NotificationState,
  ResourceShareState,
  SandboxStateJson,
} from './state';
import * as views from './views';

/** Options of {@link Sandbox}. */
export interface SandboxOptions {
  /** The clock every asynchronous status is computed from (a VirtualClock in tests and offline runs). */
  clock: Clock;
  /** Overrides of {@link DEFAULT_LATENCY}. */
  latency?: Partial<LatencyModel>;
  /** State saved by `toJSON()` to resume from; a fresh organization when omitted. */
  state?: SandboxStateJson;
  /** The management account of a fresh organization; '111111111111' by default. */
  managementAccountId?: string;
  /** Region for reads that need one (`configState`); calls use the Region they were signed for. 'us-east-1' by default. */
  region?: string;
  /** CreateAccount requests that may be IN_PROGRESS at once; 5 by default. */
  createAccountQuota?: number;
  /** Maximum SCP document size in characters; 5,120 by default (AWS raised it for some organizations). */
  policySizeQuota?: number;
  /** CloseAccount closures allowed per rolling 30 days; AWS's rule (10 % of members, 10 to 1,000) by default. */
  closeAccountQuota?: number;
  /**
   * Most entries one S3 listing returns; 1,000 (S3's cap) by default. S3 "might contain fewer keys
   * but will never contain more" than MaxKeys: smaller pages make callers' loops run longer.
   */
  s3ListPageSize?: number;
  /**
   * The StackSets administration role a fresh organization's management account has;
   * `AWSCloudFormationStackSetAdministrationRole` (AWS's default name) when omitted. appvend's
   * service stack makes its own (`appvend-stackset-administration`), and then the default is absent.
   */
  stackSetAdministrationRoleName?: string;
}

/** One call the sandbox answered (or refused), in arrival order. Every SDK attempt is one call. */
export interface CallRecord {
  /** 'organizations' | 'sts' | 'cloudformation' | 'config', or the client's name for others. */
  service: string;
  /** The operation, e.g. 'CreateOrganizationalUnit'. */
  operation: string;
  /** The account the caller's credentials belong to ('' when they were not recognized). */
  accountId: string;
  /** The caller's ARN as GetCallerIdentity reports it (absent when the credentials were not recognized). */
  principal?: string;
  /** Whether the operation changes something (Create*, Update*, Put*, …; AssumeRole does not). */
  mutating: boolean;
  /** Sandbox clock time of the call. */
  at: number;
  /** The error's name when the call failed. */
  error?: string;
}

const DEFAULT_MANAGEMENT_ACCOUNT = '111111111111';
/** The platform account of the two-account layout: fixed, outside the range CreateAccount gives. */
export const PLATFORM_ACCOUNT_ID = '100000000900';

/** The services whose protocol names an authorization failure AccessDeniedException (JSON). */
const ACCESS_DENIED_EXCEPTION: ReadonlySet<ServiceName> = new Set([
  'organizations',
  'config',
  'events',
  'sso-admin',
  'identitystore',
  'account',
]);

/**
 * A role session's call in a member account that an SCP denies (the quarantine's account-wide
 * deny, `scp-evaluation.ts`) is refused before it reaches the service, as AWS refuses it.
 */
function refuseIfScpDenies(
  state: SandboxStateJson,
  caller: Caller,
  service: ServiceName,
  operation: string,
): void {
  const principal = rolePrincipalArn(caller.arn);
  if (!principal) return;
  const policy = scpDenyingEverything(state, caller.accountId, principal);
  if (!policy) return;
  throw awsError(
    service,
    ACCESS_DENIED_EXCEPTION.has(service) ? 'AccessDeniedException' : 'AccessDenied',
    `User: ${caller.arn} is not authorized to perform: ${service}:${operation} with an explicit deny in a service control policy: ${policyArn(state, policy.id)}`,
    { status: 403 },
  );
}

/**
 * An in-process, deterministic model of the AWS APIs the account-vending workflow calls
 * (Organizations, STS, CloudFormation StackSets, Config), plugged into real AWS SDK v3 clients.
 * Asynchronous work (CreateAccount, stack set operations, conformance packs) completes on the
 * given clock; nothing is random and no timer is set, so runs are reproducible and fast.
 *
 * @example
 * const clock = new VirtualClock();
 * const sandbox = new Sandbox({ clock });
 * const client = new OrganizationsClient({ region: 'us-east-1', credentials: sandbox.managementCredentials });
 * client.middlewareStack.use(sandbox.plugin());
 * const { Roots } = await client.send(new ListRootsCommand({}));
 */
export class Sandbox {
  /** Static, fake credentials of the management account's administrator. */
  public readonly managementCredentials: { accessKeyId: string; secretAccessKey: string };
  /** Every call received, including refused and faulted ones. */
  public readonly calls: CallRecord[] = [];
  /** Failures to inject into later calls. */
  public readonly faults = new FaultInjector();

  private readonly state: SandboxStateJson;
  private readonly clock: Clock;
  private readonly region: string;
  private readonly settings: SandboxSettings;
  private readonly settler: Settler;
  /** SDK-generated idempotency tokens → what they created; in memory only (see CallContext.tokens). */
  private readonly tokens = new Map<string, string>();

  public constructor(options: SandboxOptions) {
    this.clock = options.clock;
    const management =
      options.state?.organization.managementAccountId ??
      options.managementAccountId ??
      DEFAULT_MANAGEMENT_ACCOUNT;
    if (!/^\d{12}$/.test(management)) throw new RangeError('managementAccountId must be 12 digits');
    if (options.state && options.state.version !== 1)
      throw new RangeError(`Unsupported sandbox state version ${String(options.state.version)}`);
    this.state = options.state
      ? structuredClone(options.state)
      : initialState(management, this.clock.now(), options.stackSetAdministrationRoleName);
    this.region = options.region ?? 'us-east-1';
    this.settings = {
      latency: resolveLatency(options.latency),
      createAccountQuota: options.createAccountQuota ?? DEFAULT_CREATE_ACCOUNT_QUOTA,
      policySizeQuota: options.policySizeQuota ?? DEFAULT_POLICY_SIZE_QUOTA,
      ...(options.closeAccountQuota !== undefined && { closeAccountQuota: options.closeAccountQuota }),
      s3ListPageSize: options.s3ListPageSize ?? 1000,
    };
    this.settler = new Settler(this.settings);
    this.managementCredentials = managementCredentials(management);
  }

  /**
   * A smithy plugin to add to any SDK v3 client: `client.middlewareStack.use(sandbox.plugin())`.
   * The client then talks to this sandbox only; its credentials decide the calling account.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one plugin for every client type
  public plugin(): Pluggable<any, any> {
    return sandboxPlugin((call) => this.dispatch(call));
  }

  /** Client configuration for the management account: `new OrganizationsClient(sandbox.clientConfig())`. */
  public clientConfig(): { region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
    return { region: this.region, credentials: { ...this.managementCredentials } };
  }

  /** The whole state as JSON (settled to the clock's now), to persist and resume from. */
  public toJSON(): SandboxStateJson {
    return structuredClone(this.settled());
  }

  /** The organization. */
  public organization(): views.OrganizationView {
    return views.organizationView(this.settled());
  }

  /** All OUs, in creation order. */
  public ous(): views.OuView[] {
    return views.ouViews(this.settled());
  }

  /** All accounts, the management account first, with the names of their IAM roles. */
  public accounts(): views.AccountView[] {
    return views.accountViews(this.settled());
  }

  /** All policies, FullAWSAccess first. */
  public policies(): views.PolicyView[] {
    return views.policyViews(this.settled());
  }

  /** Policy attachments. */
  public attachments(): ReturnType<typeof views.attachmentViews> {
    return views.attachmentViews(this.settled());
  }

  /** CreateAccount requests, in request order. */
  public createAccountRequests(): ReturnType<typeof views.createAccountRequestViews> {
    return views.createAccountRequestViews(this.settled());
  }

  /** AWS RAM resource shares (deleted ones too, with status DELETED), in creation order. */
  public resourceShares(): ResourceShareState[] {
    return Object.values(structuredClone(this.settled().resourceShares ?? {}));
  }

  /** Stack sets (deleted ones too, with status DELETED). */
  public stackSets(): ReturnType<typeof views.stackSetViews> {
    return views.stackSetViews(this.settled());
  }

  /** Stack instances, each with what was last deployed in it (`deployed`). */
  public stackInstances(): views.StackInstanceView[] {
    return views.stackInstanceViews(this.settled());
  }

  /** S3 buckets that stacks created, by name, with how many object versions each holds. */
  public buckets(): views.BucketView[] {
    return views.bucketViews(this.settled());
  }

  /** Stack set operations, in request order. */
  public stackSetOperations(): ReturnType<typeof views.operationViews> {
    return views.operationViews(this.settled());
  }

  /** AWS Config settings of an account in a Region (the sandbox's Region by default). */
  public configState(accountId: string, region: string = this.region): views.ConfigView {
    return views.configView(this.settled(), accountId, region);
  }

  /**
   * Makes the next `times` (1 by default) conformance pack deployments matching the account and
   * pack name (any when omitted) end CREATE_FAILED with `reason`, as a pack whose CloudFormation
   * stack fails does.
   */
  public failConformancePacks(spec: {
    accountId?: string;
    name?: string;
    reason: string;
    times?: number;
  }): void {
    const { times = 1, ...match } = spec;
    if (!Number.isInteger(times) || times < 1) throw new RangeError('times must be an integer >= 1');
    (this.state.conformancePackFailures ??= []).push({ ...match, remaining: times });
    changedOutsideCalls();
  }

  /**
   * Declares a bucket outside the modelled stacks (the Config delivery bucket an operator made in
   * the management account) and its bucket policy, which PutDeliveryChannel's delivery check reads.
   */
  public putExternalBucket(bucket: { name: string; account: string; policy?: object }): void {
    (this.state.externalBuckets ??= {})[bucket.name] = {
      name: bucket.name,
      account: bucket.account,
      ...(bucket.policy === undefined ? {} : { policy: JSON.stringify(bucket.policy) }),
    };
    changedOutsideCalls();
  }

  /**
   * Enables IAM Identity Center as an administrator would (an organization instance in the
   * management account), with groups in its identity store and permission sets, or adds groups and
   * permission sets to the instance already there. appvend reads these and never creates them.
   */
  public setUpIdentityCenter(setup: { groups?: string[]; permissionSets?: string[] } = {}): void {
    const management = this.state.organization.managementAccountId;
    const ic: IdentityCenterState = (this.state.identityCenter ??= {
      instanceArn: instanceArn(1),
      identityStoreId: identityStoreId(1),
      ownerAccountId: management,
      createdAt: this.clock.now(),
      groups: {},
      permissionSets: {},
      assignments: [],
      provisioned: [],
      requests: {},
      requestCount: 0,
    });
    for (const name of setup.groups ?? []) {
      if (Object.values(ic.groups).includes(name)) continue;
      ic.groups[groupId(Object.keys(ic.groups).length + 1)] = name;
    }
    for (const name of setup.permissionSets ?? []) {
      if (Object.values(ic.permissionSets).some((p) => p.name === name)) continue;
      const arn = permissionSetArn(ic.instanceArn, Object.keys(ic.permissionSets).length + 1);
      ic.permissionSets[arn] = { name, createdAt: this.clock.now() };
    }
    changedOutsideCalls();
  }

  /** The sample organization's Identity Center and trusted access ({@link SAMPLE_IDENTITY_CENTER}). */
  public setUpSampleIdentityCenter(): void {
    this.setUpIdentityCenter({
      groups: [...SAMPLE_IDENTITY_CENTER.groups],
      permissionSets: [...SAMPLE_IDENTITY_CENTER.permissionSets],
    });
    for (const service of SAMPLE_IDENTITY_CENTER.trustedServices) this.enableTrustedAccess(service);
  }

  /** Enables trusted access for a service principal (EnableAWSServiceAccess), e.g. `account.amazonaws.com`. */
  public enableTrustedAccess(servicePrincipal: string): void {
    const services = (this.state.trustedServices ??= []);
    if (!services.includes(servicePrincipal)) services.push(servicePrincipal);
    changedOutsideCalls();
  }

  /**
   * The account assignments in place, by name: who (the group's display name) holds which
   * permission set in which account, and whether the permission set is provisioned there.
   */
  public accountAssignments(): {
    accountId: string;
    group: string;
    permissionSet: string;
    provisioned: boolean;
  }[] {
    const ic = this.settled().identityCenter;
    if (!ic) return [];
    return ic.assignments.map((a) => ({
      accountId: a.accountId,
      group: ic.groups[a.principalId] ?? a.principalId,
      permissionSet: ic.permissionSets[a.permissionSetArn]?.name ?? a.permissionSetArn,
      provisioned: ic.provisioned.includes(`${a.permissionSetArn}|${a.accountId}`),
    }));
  }

  /** An account's alternate contacts, by type. */
  public alternateContacts(accountId: string): AlternateContactsState {
    return structuredClone(this.settled().alternateContacts?.[accountId] ?? {});
  }

  /**
   * Deletes an assignment at once, as an administrator removing it by hand in the console would
   * (the drift `reconcile` reports).
   */
  public removeAccountAssignmentByHand(match: {
    accountId: string;
    group: string;
    permissionSet: string;
  }): void {
    const ic = this.settled().identityCenter;
    if (!ic) return;
    ic.assignments = ic.assignments.filter(
      (a) =>
        !(
          a.accountId === match.accountId &&
          ic.groups[a.principalId] === match.group &&
          ic.permissionSets[a.permissionSetArn]?.name === match.permissionSet
        ),
    );
    changedOutsideCalls();
  }

  /**
   * The two-account layout (issue 18) as an administrator sets it up: a platform member account
   * (`PLATFORM_ACCOUNT_ID`, joined, under the root) holding the service's function roles, and in
   * the management account the given management roles, each trusting only the named function roles
   * of the platform account within the organization (and, with `principalSessionTag`, only a
   * session that names its caller in that tag). Returns the platform account's id.
   */
  public setUpPlatformAccount(setup: {
    functionRoles: string[];
    managementRoles: Record<string, string[]>;
    /** The session tag each caller must pass naming itself (the stack's `appvend:function`). */
    principalSessionTag?: string;
  }): string {
    const platform = PLATFORM_ACCOUNT_ID;
    const management = this.state.organization.managementAccountId;
    this.state.accounts[platform] ??= {
      id: platform,
      name: 'platform',
      email: 'sandbox-platform@example.com',
      parentId: this.state.organization.rootId,
      status: 'ACTIVE',
      joinedMethod: 'INVITED',
      joinedAt: this.clock.now(),
      roles: {},
    };
    const roles = this.state.accounts[platform].roles;
    // Assumed by the Lambda service, as a function's execution role is; no account may assume it.
    for (const name of setup.functionRoles) roles[name] = { name, trustedAccounts: [] };
    const managementRoles = this.state.accounts[management]!.roles;
    for (const [name, trusted] of Object.entries(setup.managementRoles)) {
      managementRoles[name] = {
        name,
        trustedAccounts: [platform],
        trustedPrincipalArns: trusted.map((role) => `arn:aws:iam::${platform}:role/${role}`),
        ...(setup.principalSessionTag !== undefined && { principalSessionTag: setup.principalSessionTag }),
      };
    }
    changedOutsideCalls();
    return platform;
  }

  /**
   * A role an administrator of `accountId` made by hand, which only that account may assume (an
   * impostor named like one of appvend's roles, for the tests of who a trust admits). Its sessions
   * come from {@link executionRoleSession}.
   */
  public createRoleByHand(accountId: string, roleName: string): void {
    const account = this.state.accounts[accountId];
    if (!account) throw new RangeError(`No account ${accountId}`);
    if (account.roles[roleName]) throw new RangeError(`Role ${roleName} already exists in ${accountId}`);
    account.roles[roleName] = { name: roleName, trustedAccounts: [accountId] };
    changedOutsideCalls();
  }

  /**
   * Credentials of a session of `roleName` in `accountId`, as the Lambda service hands a function
   * its execution role's: no AssumeRole call, no trust to check (the role trusts the service).
   */
  public executionRoleSession(accountId: string, roleName: string): AwsCredentialIdentity {
    if (!this.state.accounts[accountId]?.roles[roleName]) {
      throw new RangeError(`No role ${roleName} in account ${accountId}`);
    }
    const session = issueSession(this.state, {
      accountId,
      roleName,
      sessionName: roleName,
      expiresAt: this.clock.now() + 12 * 3_600_000,
    });
    changedOutsideCalls();
    return {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
    };
  }

  /** Events put on EventBridge and messages published to SNS, in order. */
  public notifications(): NotificationState[] {
    return structuredClone(this.state.notifications ?? []);
  }

  private settled(): SandboxStateJson {
    this.settler.settle(this.state, this.clock.now());
    return this.state;
  }

  /**
   * Answers one SDK attempt. A failing handler leaves the state as it found it (AWS calls are
   * atomic), except for a `crash-after-success` fault, whose point is an effect without an answer.
   */
  private dispatch(call: WireCall): MetadataBearer {
    const now = this.clock.now();
    this.settler.settle(this.state, now);
    const service = SERVICE_BY_CLIENT[call.clientName];
    const operation = call.commandName.replace(/Command$/, '');
    const requestId = uuid(UuidKind.request, this.calls.length + 1);
    const record: CallRecord = {
      service: service ?? serviceKey(call.clientName),
      operation,
      accountId: '',
      mutating: service !== undefined && isMutating(service, operation),
      at: now,
    };
    try {
      const output = this.answer(call, service, operation, record);
      this.calls.push(record);
      return {
        ...structuredClone(output),
        $metadata: { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 },
      };
    } catch (error) {
      const failure =
        error instanceof SandboxGap
          ? new NotImplementedInSandbox(call.clientName, call.commandName, error.detail)
          : error;
      const metadata = (failure as { $metadata?: { requestId?: string } }).$metadata;
      if (metadata) metadata.requestId = requestId;
      this.calls.push({ ...record, error: (failure as Error).name });
      throw failure;
    }
  }

  private answer(
    call: WireCall,
    service: ServiceName | undefined,
    operation: string,
    record: CallRecord,
  ): object {
    if (!service) throw new NotImplementedInSandbox(call.clientName, call.commandName);
    const caller = resolveCaller(this.state, call.accessKeyId, record.at, service);
    record.accountId = caller.accountId;
    record.principal = caller.arn;
    refuseIfScpDenies(this.state, caller, service, operation);
    const handler = HANDLERS[service][operation] as Handler<unknown> | undefined;
    if (!handler) throw new NotImplementedInSandbox(call.clientName, call.commandName);
    const fault = this.faults.take({ service, operation, accountId: caller.accountId });
    if (fault && fault !== 'crash-after-success') throw faultError(fault, service);
    const ctx: CallContext = {
      state: this.state,
      now: record.at,
      caller,
      region: call.region ?? this.region,
      settings: this.settings,
      wireParam: call.wireParam,
      tokens: this.tokens,
    };
    const input = call.input ?? {};
    // A failing call leaves the state as it was (`atomically` undoes what it changed), except for
    // reads, which change nothing AWS shows but may fill in the sandbox's own records (an account's
    // empty Config settings): their writes are noted too (`tracked`), for the indexes over them.
    const reads = /^(List|Describe|Get)/.test(operation);
    // Whether it succeeds or not, a change may have started asynchronous work.
    if (!reads) this.settler.changed(service);
    const output = reads
      ? tracked(this.state, (state) => handler(input, { ...ctx, state }))
      : atomically(this.state, (state) => handler(input, { ...ctx, state }));
    if (fault === 'crash-after-success') throw faultError(fault, service);
    return output;
  }
}
