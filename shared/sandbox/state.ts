/**
 * The sandbox's whole world as plain JSON: what `Sandbox.toJSON()` returns and `new Sandbox({ state })`
 * resumes from (the CLI persists it between runs). Times are epoch milliseconds on the sandbox's
 * clock. Nothing here is random: ids come from the counters, so two runs of the same vend produce
 * byte-identical state.
 */
export interface SandboxStateJson {
  version: 1;
  counters: Counters;
  organization: OrganizationState;
  accounts: Record<string, AccountState>;
  ous: Record<string, OuState>;
  policies: Record<string, PolicyState>;
  attachments: AttachmentState[];
  /** Organizations tags by resource id (root, OU, account, policy). */
  tags: Record<string, TagState[]>;
  createAccountRequests: Record<string, CreateAccountRequestState>;
  /** Temporary credentials issued by AssumeRole, by access key id. */
  sessions: Record<string, SessionState>;
  stackSets: Record<string, StackSetState>;
  /** By `stackInstanceKey(stackSetId, account, region)`. */
  stackInstances: Record<string, StackInstanceState>;
  operations: Record<string, OperationState>;
  /** AWS Config settings by `configKey(account, region)`. */
  config: Record<string, ConfigAccountState>;
  /** S3 buckets created by stack instances, by bucket name (absent in older states). */
  buckets?: Record<string, BucketState>;
  /** Server access log objects S3 has yet to deliver, in request order (absent in older states). */
  s3LogDeliveries?: LogDeliveryState[];
  /** Events put on EventBridge and messages published to SNS, in order (absent in older states). */
  notifications?: NotificationState[];
  /** Conformance pack deployments armed to end CREATE_FAILED (`Sandbox.failConformancePacks`). */
  conformancePackFailures?: ConformancePackFailureState[];
  /**
   * Buckets outside the modelled stacks (the Config delivery bucket an operator made), with the
   * bucket policy AWS Config's delivery check reads (`Sandbox.putExternalBucket`).
   */
  externalBuckets?: Record<string, ExternalBucketState>;
  /** AWS RAM resource shares by ARN (absent in older states). */
  resourceShares?: Record<string, ResourceShareState>;
  /** AWS RAM's caller-provided clientTokens → the share they created and the call's parameters. */
  ramClientTokens?: Record<string, { resourceShareArn: string; parameters: string }>;
  /** Whether EnableSharingWithAwsOrganization was called (RAM shares to the organization or an OU). */
  ramSharingWithOrganization?: boolean;
  /** IAM Identity Center, when an administrator enabled it (absent otherwise). */
  identityCenter?: IdentityCenterState;
  /** Alternate contacts by account id (absent in older states). */
  alternateContacts?: Record<string, AlternateContactsState>;
  /** Service principals with trusted access in the organization (EnableAWSServiceAccess), e.g. `account.amazonaws.com`. */
  trustedServices?: string[];
  /** Delegated administrators (RegisterDelegatedAdministrator), in registration order (absent in older states). */
  delegatedAdministrators?: DelegatedAdministratorState[];
}

/** A member account registered as a delegated administrator for one service principal. */
export interface DelegatedAdministratorState {
  accountId: string;
  servicePrincipal: string;
  registeredAt: number;
}

/** An AWS RAM resource share: who owns it, what it shares and with whom. */
export interface ResourceShareState {
  arn: string;
  name: string;
  owningAccountId: string;
  region: string;
  allowExternalPrincipals: boolean;
  status: 'ACTIVE' | 'DELETED';
  tags: TagState[];
  principals: string[];
  resources: string[];
  createdAt: number;
  updatedAt: number;
}

/** A conformance pack deployment armed to fail: the next puts matching it end CREATE_FAILED. */
export interface ConformancePackFailureState {
  accountId?: string;
  name?: string;
  /** ConformancePackStatusReason of the failed pack. */
  reason: string;
  remaining: number;
}

/** A bucket the sandbox knows only by its owner and policy. */
export interface ExternalBucketState {
  name: string;
  account: string;
  /** The bucket policy document (JSON), if any. */
  policy?: string;
}

/** An S3 bucket a stack created under a name the sandbox could resolve (`BucketName`). */
export interface BucketState {
  name: string;
  account: string;
  region: string;
  /** The stack instance that created it (deleted with the instance); none once a stack was retained. */
  createdBy?: string;
  /** Its logical id in that stack. */
  logicalId: string;
  versioning: boolean;
  /** Server access logging: where S3 delivers the log objects of this bucket's requests. */
  logging?: { targetBucket: string; prefix: string };
  /** Object versions and delete markers, in the order they were written. */
  versions: ObjectVersionState[];
  /** Counts the versions written, for version ids. */
  written: number;
}

/** One log object on its way to a logging target bucket. */
export interface LogDeliveryState {
  at: number;
  targetBucket: string;
  key: string;
}

export interface ObjectVersionState {
  key: string;
  versionId: string;
  deleteMarker: boolean;
  size: number;
  at: number;
}

export interface NotificationState {
  seq: number;
  at: number;
  /** The account that sent it. */
  accountId: string;
  service: 'events' | 'sns';
  /** The event bus name or ARN, or the topic ARN. */
  target: string;
  /** The event's detail-type, or the message's subject. */
  kind: string;
  /** The event's source (EventBridge only). */
  source?: string;
  /** The event's detail or the message, as sent. */
  body: string;
}

export interface Counters {
  account: number;
  ou: number;
  policy: number;
  createAccount: number;
  session: number;
  stackSet: number;
  stack: number;
  operation: number;
  conformancePack: number;
}

export interface OrganizationState {
  id: string;
  rootId: string;
  managementAccountId: string;
  createdAt: number;
}

export interface TagState {
  Key: string;
  Value: string;
}

/** An IAM role the sandbox knows of: enough to decide whether AssumeRole or a stack set may use it. */
export interface RoleState {
  name: string;
  /** Accounts allowed to assume it; '*' when the trust policy could not be read (stack-made roles). */
  trustedAccounts: string[] | '*';
  /**
   * When set, only these role ARNs (`aws:PrincipalArn`) of the trusted accounts may assume it, and
   * only from accounts of this organization (`aws:PrincipalOrgID`): the management roles of the
   * two-account layout (infra/service/management-access-stack.ts), and the member access role the
   * guardrails template makes (read from its trust's `ArnEquals` on `aws:PrincipalArn`).
   */
  trustedPrincipalArns?: string[];
  /**
   * When set, AssumeRole must pass this session tag with the caller's `aws:PrincipalArn` as its
   * value, and no other tag (`aws:RequestTag/<key>` = `${aws:PrincipalArn}`, `aws:TagKeys`).
   */
  principalSessionTag?: string;
  /** The stack instance that created it, if any (deleted with the instance). */
  createdBy?: string;
  /** The actions its inline policies allow (stack-made roles; absent in older states). */
  allowedActions?: string[];
}

export interface AccountState {
  id: string;
  name: string;
  email: string;
  parentId: string;
  /** PENDING_CLOSURE from CloseAccount until AWS has processed it, then SUSPENDED. */
  status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  /** When CloseAccount was accepted: AWS's closure quota counts the last 30 days of these. */
  closedAt?: number;
  joinedMethod: 'CREATED' | 'INVITED';
  joinedAt: number;
  roles: Record<string, RoleState>;
}

export interface OuState {
  id: string;
  name: string;
  parentId: string;
}

export interface PolicyState {
  id: string;
  name: string;
  description: string;
  type: 'SERVICE_CONTROL_POLICY';
  content: string;
  awsManaged: boolean;
}

export interface AttachmentState {
  policyId: string;
  targetId: string;
}

export interface CreateAccountRequestState {
  id: string;
  seq: number;
  accountName: string;
  email: string;
  roleName: string;
  tags: TagState[];
  requestedAt: number;
  /** When the request leaves IN_PROGRESS (success or failure). */
  completesAt: number;
  state: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  /** Decided when the request is accepted; applied at `completesAt`. */
  failureReason?: string;
  accountId?: string;
}

export interface SessionState {
  accessKeyId: string;
  accountId: string;
  roleName: string;
  sessionName: string;
  expiresAt: number;
}

export interface ParameterMap {
  [key: string]: string;
}

export interface StackSetState {
  id: string;
  name: string;
  ownerAccountId: string;
  region: string;
  status: 'ACTIVE' | 'DELETED';
  description?: string;
  templateBody: string;
  parameters: ParameterMap;
  capabilities: string[];
  tags: TagState[];
  administrationRoleArn: string;
  executionRoleName: string;
  managedExecution: boolean;
  createdAt: number;
  /** SELF_MANAGED when absent (older states). */
  permissionModel?: 'SELF_MANAGED' | 'SERVICE_MANAGED';
  /** Service-managed only: automatic deployment (only `Enabled: false` is modelled). */
  autoDeployment?: { enabled: boolean; retainStacksOnAccountRemoval?: boolean };
}

/** What CloudFormation last deployed into a stack instance's stack. */
export interface DeployedStackState {
  templateBody: string;
  parameters: ParameterMap;
  operationId: string;
  at: number;
  /** Logical id → resource type, as deployed. */
  resources: Record<string, string>;
}

export interface StackInstanceState {
  key: string;
  stackSetId: string;
  account: string;
  region: string;
  overrides: ParameterMap;
  status: 'CURRENT' | 'OUTDATED' | 'INOPERABLE';
  detailedStatus: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'INOPERABLE';
  statusReason?: string;
  stackId?: string;
  lastOperationId?: string;
  deployed?: DeployedStackState;
  seq: number;
  /** Service-managed only: the root or OU id of DeploymentTargets the instance was created for. */
  organizationalUnitId?: string;
}

export interface OperationPreferencesState {
  RegionConcurrencyType?: string;
  RegionOrder?: string[];
  FailureToleranceCount?: number;
  FailureTolerancePercentage?: number;
  MaxConcurrentCount?: number;
  MaxConcurrentPercentage?: number;
  ConcurrencyMode?: string;
}

export interface OperationTargetResult {
  account: string;
  region: string;
  status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  /** Parameters the stack is deployed with if this target succeeds. */
  parameters?: ParameterMap;
  /** Nothing to do: the instance already runs this template with these parameters. */
  skipped?: boolean;
}

export interface OperationState {
  id: string;
  seq: number;
  stackSetId: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  preferences: OperationPreferencesState;
  retainStacks?: boolean;
  administrationRoleArn: string;
  executionRoleName: string;
  /** The stack set's template and parameters when the operation was requested. */
  templateBody: string;
  parameters: ParameterMap;
  targets: { account: string; region: string }[];
  /** The request, minus its OperationId: a reused OperationId must come with the same request. */
  fingerprint: string;
  createdAt: number;
  startedAt?: number;
  endsAt?: number;
  endedAt?: number;
  /** Decided when the operation starts (from the targets' state then), applied when it ends. */
  results: OperationTargetResult[];
  outcome?: 'SUCCEEDED' | 'FAILED';
  statusReason?: string;
}

export interface ConfigRecorderState {
  name: string;
  roleARN: string;
  recordingGroup?: Record<string, unknown>;
  recordingMode?: Record<string, unknown>;
  recording: boolean;
  lastStartTime?: number;
  lastStopTime?: number;
  lastStatusChangeTime?: number;
}

export interface DeliveryChannelState {
  name: string;
  s3BucketName: string;
  s3KeyPrefix?: string;
  s3KmsKeyArn?: string;
  snsTopicARN?: string;
  deliveryFrequency?: string;
}

export interface ConformancePackState {
  name: string;
  id: string;
  arn: string;
  stackArn: string;
  templateBody?: string;
  templateS3Uri?: string;
  deliveryS3Bucket?: string;
  deliveryS3KeyPrefix?: string;
  inputParameters: { ParameterName: string; ParameterValue: string }[];
  state: 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED';
  /** Why the deployment under way will fail (armed by a failure), or why it failed. */
  failureReason?: string;
  lastUpdateRequestedAt: number;
  completesAt: number;
  lastUpdateCompletedAt?: number;
  seq: number;
}

export interface ConfigAccountState {
  accountId: string;
  region: string;
  recorder?: ConfigRecorderState;
  deliveryChannel?: DeliveryChannelState;
  conformancePacks: Record<string, ConformancePackState>;
}

export const stackInstanceKey = (stackSetId: string, account: string, region: string): string =>
  `${stackSetId}|${account}|${region}`;

export const configKey = (accountId: string, region: string): string => `${accountId}/${region}`;

/**
 * The organization's IAM Identity Center instance and its identity store, as an administrator set
 * them up (`Sandbox.setUpIdentityCenter`): appvend only reads groups and permission sets and makes
 * account assignments.
 */
export interface IdentityCenterState {
  instanceArn: string;
  identityStoreId: string;
  /** The account the instance lives in (the management account). */
  ownerAccountId: string;
  createdAt: number;
  /** Group id → display name. */
  groups: Record<string, string>;
  /** Permission set ARN → its name and creation time. */
  permissionSets: Record<string, { name: string; createdAt: number }>;
  /** Account assignments that exist (creation requests that SUCCEEDED, less the deleted ones). */
  assignments: AccountAssignmentState[];
  /** `<permissionSetArn>|<accountId>`: permission sets provisioned to accounts (their role exists). */
  provisioned: string[];
  /** Creation and deletion requests by request id, in request order. */
  requests: Record<string, AccountAssignmentRequestState>;
  /** Counter for request ids. */
  requestCount: number;
}

export interface AccountAssignmentState {
  accountId: string;
  permissionSetArn: string;
  principalType: 'USER' | 'GROUP';
  principalId: string;
}

export interface AccountAssignmentRequestState extends AccountAssignmentState {
  requestId: string;
  kind: 'create' | 'delete';
  status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  createdAt: number;
  /** When the request ends (its status changes). */
  endsAt: number;
  failureReason?: string;
}

/** One account's alternate contacts (AWS Account Management), by type. */
export type AlternateContactsState = Partial<
  Record<'BILLING' | 'OPERATIONS' | 'SECURITY', { name: string; title: string; email: string; phone: string }>
>;
