import { accountArn, organizationArn, ouArn, policyArn } from './org-common';
import type {
  BucketState,
  AccountState,
  AttachmentState,
  ConfigAccountState,
  CreateAccountRequestState,
  OperationState,
  OuState,
  PolicyState,
  SandboxStateJson,
  StackInstanceState,
  StackSetState,
  TagState,
} from './state';
import { configKey } from './state';

/** Plain, detached snapshots of the sandbox's state, for tests and tools to assert on. */

/** The organization as DescribeOrganization describes it, plus its root's id. */
export interface OrganizationView {
  Id: string;
  Arn: string;
  FeatureSet: 'ALL';
  MasterAccountId: string;
  MasterAccountArn: string;
  MasterAccountEmail: string;
  RootId: string;
}
export type OuView = OuState & { arn: string; tags: TagState[] };
export type AccountView = Omit<AccountState, 'roles'> & { arn: string; roles: string[]; tags: TagState[] };
export type PolicyView = PolicyState & { arn: string; tags: TagState[] };
export type StackInstanceView = Omit<StackInstanceState, 'key' | 'seq'> & { stackSetName: string };
export type ConfigView = Omit<ConfigAccountState, 'conformancePacks'> & {
  conformancePacks: ConfigAccountState['conformancePacks'][string][];
};

const clone = <T>(value: T): T => structuredClone(value);
const tagsOf = (state: SandboxStateJson, id: string) => clone(state.tags[id] ?? []);

export function organizationView(state: SandboxStateJson): OrganizationView {
  const management = state.organization.managementAccountId;
  return {
    Id: state.organization.id,
    Arn: organizationArn(state),
    FeatureSet: 'ALL',
    MasterAccountId: management,
    MasterAccountArn: accountArn(state, management),
    MasterAccountEmail: state.accounts[management]?.email ?? '',
    RootId: state.organization.rootId,
  };
}

export const ouViews = (state: SandboxStateJson): OuView[] =>
  Object.values(state.ous).map((ou) => ({
    ...clone(ou),
    arn: ouArn(state, ou.id),
    tags: tagsOf(state, ou.id),
  }));

export const accountViews = (state: SandboxStateJson): AccountView[] =>
  Object.values(state.accounts).map(({ roles, ...account }) => ({
    ...clone(account),
    arn: accountArn(state, account.id),
    roles: Object.keys(roles),
    tags: tagsOf(state, account.id),
  }));

export const policyViews = (state: SandboxStateJson): PolicyView[] =>
  Object.values(state.policies).map((p) => ({
    ...clone(p),
    arn: policyArn(state, p.id),
    tags: tagsOf(state, p.id),
  }));

export const attachmentViews = (state: SandboxStateJson): AttachmentState[] => clone(state.attachments);

export const createAccountRequestViews = (state: SandboxStateJson): CreateAccountRequestState[] =>
  clone(Object.values(state.createAccountRequests));

export const stackSetViews = (state: SandboxStateJson): StackSetState[] =>
  clone(Object.values(state.stackSets));

export const stackInstanceViews = (state: SandboxStateJson): StackInstanceView[] =>
  Object.values(state.stackInstances)
    .sort((a, b) => a.seq - b.seq)
    .map(({ key: _key, seq: _seq, ...instance }) => ({
      ...clone(instance),
      stackSetName: state.stackSets[instance.stackSetId]?.name ?? '',
    }));

/** An S3 bucket with the number of object versions (delete markers included) it holds. */
export type BucketView = Omit<BucketState, 'versions' | 'written'> & { versions: number };

export const bucketViews = (state: SandboxStateJson): BucketView[] =>
  Object.values(state.buckets ?? {})
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ versions, written: _written, ...bucket }) => ({ ...clone(bucket), versions: versions.length }));

export const operationViews = (state: SandboxStateJson): OperationState[] =>
  clone(Object.values(state.operations).sort((a, b) => a.seq - b.seq));

export function configView(state: SandboxStateJson, accountId: string, region: string): ConfigView {
  const config = state.config[configKey(accountId, region)] ?? { accountId, region, conformancePacks: {} };
  const { conformancePacks, ...rest } = clone(config);
  return { ...rest, conformancePacks: Object.values(conformancePacks) };
}
