import { CLOUDFORMATION_HANDLERS } from './cloudformation';
import { CONFIG_HANDLERS } from './config';
import { EVENTS_HANDLERS, SNS_HANDLERS } from './notifications';
import type { HandlerTable } from './context';
import type { ServiceName } from './errors';
import { ACCOUNT_CLOSURE_HANDLERS } from './org-account-closure';
import { ACCOUNT_HANDLERS } from './org-accounts';
import { DELEGATED_ADMINISTRATOR_HANDLERS } from './org-delegated-admins';
import { POLICY_HANDLERS } from './org-policies';
import { ACCOUNT_MANAGEMENT_HANDLERS } from './alternate-contacts';
import { IDENTITY_STORE_HANDLERS, SSO_ADMIN_HANDLERS } from './identity-center';
import { RAM_HANDLERS } from './ram';
import { S3_HANDLERS } from './s3';
import { ORGANIZATION_HANDLERS } from './organizations';
import { STS_HANDLERS } from './sts';

/** Every modelled operation, by service. Anything else is NotImplementedInSandbox. */
export const HANDLERS: Record<ServiceName, HandlerTable> = {
  organizations: {
    ...ORGANIZATION_HANDLERS,
    ...POLICY_HANDLERS,
    ...ACCOUNT_HANDLERS,
    ...ACCOUNT_CLOSURE_HANDLERS,
    ...DELEGATED_ADMINISTRATOR_HANDLERS,
  },
  sts: STS_HANDLERS,
  cloudformation: CLOUDFORMATION_HANDLERS,
  config: CONFIG_HANDLERS,
  events: EVENTS_HANDLERS,
  sns: SNS_HANDLERS,
  s3: S3_HANDLERS,
  ram: RAM_HANDLERS,
  'sso-admin': SSO_ADMIN_HANDLERS,
  identitystore: IDENTITY_STORE_HANDLERS,
  account: ACCOUNT_MANAGEMENT_HANDLERS,
};

/** The SDK v3 client classes the sandbox answers for (their `context.clientName`). */
export const SERVICE_BY_CLIENT: Readonly<Record<string, ServiceName>> = {
  OrganizationsClient: 'organizations',
  STSClient: 'sts',
  CloudFormationClient: 'cloudformation',
  ConfigServiceClient: 'config',
  EventBridgeClient: 'events',
  SNSClient: 'sns',
  S3Client: 's3',
  RAMClient: 'ram',
  SSOAdminClient: 'sso-admin',
  IdentitystoreClient: 'identitystore',
  AccountClient: 'account',
};

/**
 * Calls that change something in the organization, for the call log: AssumeRole only hands out
 * credentials, and events and notifications (EventBridge, SNS) tell about changes without making any.
 */
export const isMutating = (service: ServiceName, operation: string): boolean =>
  (service !== 'events' &&
    service !== 'sns' &&
    /^(Create|Update|Put|Attach|Detach|Move|Delete|Tag|Untag|Start|Stop|Close)/.test(operation)) ||
  (service === 'ram' && /^(Associate|Enable)/.test(operation)) ||
  (service === 'organizations' && /^(Enable|Register|Deregister)/.test(operation)) ||
  (service === 'cloudformation' && operation === 'ActivateOrganizationsAccess');
