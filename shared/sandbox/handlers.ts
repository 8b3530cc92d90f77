import { CLOUDFORMATION_HANDLERS } from './cloudformation';
import { CONFIG_HANDLERS } from './config';
import type { HandlerTable } from './context';
import type { ServiceName } from './errors';
import { ACCOUNT_HANDLERS } from './org-accounts';
import { POLICY_HANDLERS } from './org-policies';
import { ORGANIZATION_HANDLERS } from './organizations';
import { STS_HANDLERS } from './sts';

/** Every modelled operation, by service. Anything else is NotImplementedInSandbox. */
export const HANDLERS: Record<ServiceName, HandlerTable> = {
  organizations: { ...ORGANIZATION_HANDLERS, ...POLICY_HANDLERS, ...ACCOUNT_HANDLERS },
  sts: STS_HANDLERS,
  cloudformation: CLOUDFORMATION_HANDLERS,
  config: CONFIG_HANDLERS,
};

/** The SDK v3 client classes the sandbox answers for (their `context.clientName`). */
export const SERVICE_BY_CLIENT: Readonly<Record<string, ServiceName>> = {
  OrganizationsClient: 'organizations',
  STSClient: 'sts',
  CloudFormationClient: 'cloudformation',
  ConfigServiceClient: 'config',
};

/** Calls that change something, for the call log (AssumeRole only hands out credentials). */
export const isMutating = (operation: string): boolean =>
  /^(Create|Update|Put|Attach|Detach|Move|Delete|Tag|Untag|Start|Stop)/.test(operation);
