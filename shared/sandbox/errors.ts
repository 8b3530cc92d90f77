import * as cloudformation from '@aws-sdk/client-cloudformation';
import * as account from '@aws-sdk/client-account';
import * as config from '@aws-sdk/client-config-service';
import * as events from '@aws-sdk/client-eventbridge';
import * as identitystore from '@aws-sdk/client-identitystore';
import * as organizations from '@aws-sdk/client-organizations';
import * as ram from '@aws-sdk/client-ram';
import * as s3 from '@aws-sdk/client-s3';
import * as sns from '@aws-sdk/client-sns';
import * as ssoAdmin from '@aws-sdk/client-sso-admin';
import * as sts from '@aws-sdk/client-sts';

/** The services the sandbox models, by the key used in call records and fault specs. */
export type ServiceName =
  | 'organizations'
  | 'sts'
  | 'cloudformation'
  | 'config'
  | 'events'
  | 'sns'
  | 's3'
  | 'ram'
  | 'sso-admin'
  | 'identitystore'
  | 'account';

type ExceptionClass = new (options: never) => Error;

interface ServiceModule {
  base: ExceptionClass;
  exports: Record<string, unknown>;
}

const MODULES: Record<ServiceName, ServiceModule> = {
  organizations: { base: organizations.OrganizationsServiceException, exports: organizations },
  sts: { base: sts.STSServiceException, exports: sts },
  cloudformation: { base: cloudformation.CloudFormationServiceException, exports: cloudformation },
  config: { base: config.ConfigServiceServiceException, exports: config },
  events: { base: events.EventBridgeServiceException, exports: events },
  sns: { base: sns.SNSServiceException, exports: sns },
  s3: { base: s3.S3ServiceException, exports: s3 },
  ram: { base: ram.RAMServiceException, exports: ram },
  'sso-admin': { base: ssoAdmin.SSOAdminServiceException, exports: ssoAdmin },
  identitystore: { base: identitystore.IdentitystoreServiceException, exports: identitystore },
  account: { base: account.AccountServiceException, exports: account },
};

/** Options of {@link awsError}. */
export interface AwsErrorOptions {
  /** 'client' (the default) answers 400; 'server' answers 500. */
  fault?: 'client' | 'server';
  /** HTTP status, when it differs from the fault's default. */
  status?: number;
  /** Marks the error as throttling, which the SDK's retry strategy backs off and retries. */
  throttling?: boolean;
  /** Modelled members of the exception, e.g. `{ Reason: 'POLICY_CONTENT_LIMIT_EXCEEDED' }`. */
  fields?: Record<string, unknown>;
}

/** An error that carries the SDK's service-exception members. */
export type SdkServiceError = Error & {
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string };
  $retryable?: { throttling?: boolean };
};

/**
 * An error shaped exactly like the one the SDK would deserialize from AWS: the client package's
 * exception class when it exports one (so `instanceof` and `name` work), else the package's
 * service exception base class with that `name` (CloudFormation's `ValidationError`, STS's
 * `AccessDenied`, which have no class of their own).
 *
 * @example
 * throw awsError('organizations', 'ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.");
 */
export function awsError(
  service: ServiceName,
  name: string,
  message: string,
  options: AwsErrorOptions = {},
): SdkServiceError {
  const { base, exports } = MODULES[service];
  const fault = options.fault ?? 'client';
  const init = {
    name,
    $fault: fault,
    message,
    Message: message,
    $metadata: { httpStatusCode: options.status ?? (fault === 'server' ? 500 : 400) },
    ...options.fields,
  };
  const candidate = exports[name];
  const Class = isSubclassOf(candidate, base) ? candidate : base;
  const error = new Class(init as never) as SdkServiceError;
  // The generic base class takes its name from the options; a subclass sets its own.
  error.name = name;
  Object.assign(error, options.fields);
  if (options.throttling) error.$retryable = { throttling: true };
  return error;
}

function isSubclassOf(candidate: unknown, base: ExceptionClass): candidate is ExceptionClass {
  return typeof candidate === 'function' && candidate.prototype instanceof base;
}

/**
 * Thrown for any call the sandbox does not model, so that gaps are loud. It is a 501, which the
 * SDK does not retry.
 */
export class NotImplementedInSandbox extends Error {
  public readonly $fault = 'server' as const;
  public readonly $metadata = { httpStatusCode: 501 };

  public constructor(
    public readonly clientName: string,
    public readonly commandName: string,
    detail?: string,
  ) {
    super(`The sandbox does not model ${clientName} ${commandName}${detail ? `: ${detail}` : ''}`);
    this.name = 'NotImplementedInSandbox';
  }
}

/**
 * Raised by a model module for a request that is valid on AWS but outside what the sandbox
 * models; the dispatcher turns it into {@link NotImplementedInSandbox} naming the client and command.
 */
export class SandboxGap extends Error {
  public constructor(public readonly detail: string) {
    super(detail);
    this.name = 'SandboxGap';
  }
}
