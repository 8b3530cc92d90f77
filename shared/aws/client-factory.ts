import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  Pluggable,
  Provider,
  RequestSigner,
  RetryStrategyV2,
} from '@smithy/types';
import {
  FUNCTION_ROLE_ENV,
  FUNCTION_SESSION_TAG,
  MANAGEMENT_ROLE_ENV,
  identityOfRole,
  type CallerIdentity,
} from '../domain/management-access';
import { MEMBER_ACCESS_ROLE_ENV } from '../domain/member-access';
import { ACCOUNT_ACCESS_ROLE, roleArn } from '../domain/naming';
import { unsupportedOperationPlugin } from './unsupported-operation';

// A plugin serves every client, whatever its input and output types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPluggable = Pluggable<any, any>;

/**
 * Where AWS calls go. Handlers never choose: the process that hosts them does (Lambda: the
 * environment; the CLI: `--sandbox`, `--endpoint URL` or `--aws`), through {@link configureAws}.
 * The sandbox is plugged in here as a client middleware, so handlers use the real SDK clients.
 */
export interface AwsSettings {
  region: string;
  /** An AWS-compatible endpoint (moto server, LocalStack); undefined for real AWS. */
  endpoint?: string;
  /** Static credentials; undefined means the SDK's default credential chain. */
  credentials?: AwsCredentialIdentity;
  /** Middleware added to every client (the sandbox, fault injection). */
  plugins: AnyPluggable[];
  /** The SDK's attempts per call (its own throttling and 5xx retries). */
  maxAttempts: number;
  /**
   * The SDK's retry strategy for a client of `maxAttempts` attempts, when not the SDK's default:
   * the sandbox's (shared/sandbox/retry.ts) keeps the attempts and waits no real time between them.
   */
  retryStrategy?: (maxAttempts: number) => RetryStrategyV2;
  /**
   * The SDK's signer class, when not its SignatureV4: the sandbox's (shared/sandbox/signer.ts)
   * writes the credential scope it reads and skips the hashing nobody checks in process.
   */
  signerConstructor?: SignerConstructor;
  /** The role assumed in member accounts before their baseline (the readiness probe). */
  memberRoleName: string;
  /**
   * The role the baseline makes in each vended account for the service's functions
   * (`APPVEND_MEMBER_ACCESS_ROLE`, shared/domain/member-access.ts): with it set, every entry but the
   * readiness probe goes through it, assumed with the process's own credentials. Unset, every
   * entry goes through {@link memberRoleName}.
   */
  memberAccessRoleName?: string;
  /**
   * The role in the management account that the calls AWS allows only there go through
   * (`APPVEND_MANAGEMENT_ROLE_ARN`: Organizations, Account Management, IAM Identity Center, and the
   * first entry into member accounts, whose access role trusts the management account only). Unset: the
   * process's own credentials make them (the CLI run with the management account's credentials).
   */
  managementRoleArn?: string;
  /**
   * Who this process runs as, when it is a deployed function: its role's ARN from
   * `APPVEND_FUNCTION_ROLE_ARN`, which the service stack sets on every function. Unset (the CLI, the
   * tests), STS says, through the source {@link setDefaultIdentitySource} installs.
   */
  identity?: CallerIdentity;
  /**
   * The time credentials expire against: the wall clock on AWS; the backend's clock elsewhere (the
   * sandbox's sessions expire in its virtual time).
   */
  now: () => number;
}

/**
 * A signer class as the SDK's `signerConstructor` option takes it: the SDK constructs it with the
 * client's configuration, of which these three are what a signer needs to name the caller.
 */
export type SignerConstructor = new (options: {
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  region: string | Provider<string>;
  service: string;
}) => RequestSigner;

/** Who the process is, asked of AWS with the factory's own credentials (STS GetCallerIdentity). */
export type IdentitySource = (clients: ClientFactory) => Promise<CallerIdentity>;

/**
 * The identity source of processes that are not a deployed function; none until one is installed.
 * It is installed rather than imported here so that a function's bundle does not carry the STS
 * client for a call it never makes (bench/cold-start.ts measures each handler's bundle).
 */
let defaultIdentitySource: IdentitySource | undefined;

/**
 * Installs how a process that is no deployed function learns who it is
 * (shared/aws/caller-identity.ts); undefined removes it.
 */
export function setDefaultIdentitySource(source: IdentitySource | undefined): void {
  defaultIdentitySource = source;
}

function settingsFromEnv(): AwsSettings {
  return {
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint: process.env.APPVEND_AWS_ENDPOINT || undefined,
    credentials: undefined,
    plugins: [],
    maxAttempts: 5,
    memberRoleName: process.env.APPVEND_MEMBER_ROLE ?? ACCOUNT_ACCESS_ROLE,
    ...(process.env[MANAGEMENT_ROLE_ENV] && { managementRoleArn: process.env[MANAGEMENT_ROLE_ENV] }),
    ...(process.env[MEMBER_ACCESS_ROLE_ENV] && { memberAccessRoleName: process.env[MEMBER_ACCESS_ROLE_ENV] }),
    ...(process.env[FUNCTION_ROLE_ENV] && { identity: identityOfRole(process.env[FUNCTION_ROLE_ENV]) }),
    now: Date.now,
  };
}

/**
 * The SDK clients (by their `serviceId`) whose calls AWS allows only from the management account
 * (or a delegated administrator appvend does not use): they act through the management role.
 */
const MANAGEMENT_SERVICES: ReadonlySet<string> = new Set([
  'Organizations',
  'Account',
  'SSO Admin',
  'identitystore',
]);

let current: AwsSettings = settingsFromEnv();
let factory: ClientFactory | undefined;

/** The time as the configured backend has it (the sandbox's clock locally, the wall clock on AWS). */
export const awsNow = (): number => current.now();

/** Points every client created afterwards at another backend. */
export function configureAws(overrides: Partial<AwsSettings>): void {
  current = { ...settingsFromEnv(), ...overrides };
  factory = undefined;
}

/**
 * A client of any other service for the management account, configured like the factory's
 * (region, endpoint, credentials, plugins) and made once per factory: a warm Lambda reuses it.
 * Kept out of {@link ClientFactory}'s named clients so that a handler bundles only the SDK clients
 * it uses: each one adds to its size and cold start. `overrides` change the configuration (a
 * client with its own retry settings or Region is a client of its own; AWS RAM shares a global
 * resource only from us-east-1).
 *
 * @example
 * const dynamo = managementClient(DynamoDBClient);
 */
export function managementClient<T extends PluggableClient>(
  Client: new (config: ClientConfig) => T,
  overrides: Partial<Pick<ClientConfig, 'maxAttempts' | 'region'>> = {},
): T {
  return awsClients().managementClient(Client, overrides);
}

/** Own-account clients, by the settings they were made with, then class. */
const ownClients = new WeakMap<AwsSettings, Map<object, PluggableClient>>();

/**
 * A client of a service appvend uses in its own account (its ledger table, state machines, event
 * bus and topic), with this process's own credentials, never through a role: configured like the
 * factory's clients (region, endpoint, credentials, plugins) and made once per settings
 * ({@link configureAws} starts over). It does not go through {@link ClientFactory}, so a handler
 * that uses only these bundles neither the factory nor STS (bench/cold-start.ts measures it).
 * A management-only service (Organizations, …) is refused: those go through
 * {@link managementClient}, which uses the management role when one is configured.
 * (Loading STS with `import()` inside the factory instead was measured and dropped: the bundles
 * are CommonJS, so esbuild keeps STS in them anyway, 6 KiB larger for the wrapping, with no init
 * time gained beyond the machine's noise. Not reaching the factory is what takes STS out.)
 *
 * @example
 * const sfn = ownAccountClient(SFNClient);
 */
export function ownAccountClient<T extends PluggableClient>(Client: new (config: ClientConfig) => T): T {
  const settings = current;
  let byClass = ownClients.get(settings);
  if (!byClass) ownClients.set(settings, (byClass = new Map()));
  let client = byClass.get(Client) as T | undefined;
  if (!client) {
    const config: ClientConfig = { region: settings.region, maxAttempts: settings.maxAttempts };
    if (settings.endpoint) config.endpoint = settings.endpoint;
    if (settings.credentials) config.credentials = settings.credentials;
    client = new Client(withBackendConfig(settings, config));
    if (MANAGEMENT_SERVICES.has(client.config.serviceId ?? '')) {
      throw new Error(`${client.config.serviceId} is a management service: use managementClient`);
    }
    // As the factory's: on an emulator, a call it does not implement names itself and the endpoint.
    const plugins = settings.endpoint
      ? [...settings.plugins, unsupportedOperationPlugin(settings.endpoint)]
      : settings.plugins;
    for (const plugin of plugins) client.middlewareStack.use(plugin);
    byClass.set(Client, client);
  }
  return client;
}

/** The factory for the current settings (one per process, so clients and credentials are reused). */
export function awsClients(): ClientFactory {
  factory ??= new ClientFactory(current);
  return factory;
}

export type ClientConfig = {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts: number;
  retryStrategy?: RetryStrategyV2;
  signerConstructor?: SignerConstructor;
  /** S3 only: bucket in the path, which an emulator's single host needs. */
  forcePathStyle?: boolean;
};

/**
 * `config` with what the backend brings, when it brings it: its retry strategy for the config's
 * number of attempts, and its signer.
 */
function withBackendConfig(settings: AwsSettings, config: ClientConfig): ClientConfig {
  const { retryStrategy, signerConstructor } = settings;
  return {
    ...config,
    ...(retryStrategy && { retryStrategy: retryStrategy(config.maxAttempts) }),
    ...(signerConstructor && { signerConstructor }),
  };
}

interface PluggableClient {
  middlewareStack: { use(plugin: AnyPluggable): void };
  config: { serviceId?: string };
}

/** Credentials assumed in a member account, renewed a few minutes before they expire. */
interface CachedCredentials {
  credentials: AwsCredentialIdentity;
  expiresAt: number;
}

const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Creates SDK clients for the management account and, through AssumeRole, for member accounts.
 * With a management role configured, the management-only services' clients act through it, and
 * member accounts are first entered by chaining from it; with a member access role configured,
 * they are entered through that role once their baseline is in place.
 */
export class ClientFactory {
  private readonly settings: AwsSettings;
  private readonly memberCredentials = new Map<string, CachedCredentials>();
  private managementRoleCredentials?: CachedCredentials;
  private organizationsClient?: OrganizationsClient;
  private callerIdentity?: Promise<CallerIdentity>;
  private readonly otherClients = new Map<object, Map<string, PluggableClient>>();

  public constructor(settings: AwsSettings) {
    // On an emulator, a call it does not implement names itself and the endpoint.
    this.settings = settings.endpoint
      ? { ...settings, plugins: [...settings.plugins, unsupportedOperationPlugin(settings.endpoint)] }
      : settings;
  }

  public get region(): string {
    return this.settings.region;
  }

  /** The time as the backend sees it (virtual on the sandbox). */
  public now(): number {
    return this.settings.now();
  }

  public organizations(): OrganizationsClient {
    // Organizations is a global service homed in us-east-1 (aws partition).
    this.organizationsClient ??= this.plug(new OrganizationsClient(this.config(this.managementIdentity())));
    return this.organizationsClient;
  }

  /** The management role this factory's management-only calls go through, if one is configured. */
  public get managementRoleArn(): string | undefined {
    return this.settings.managementRoleArn;
  }

  /**
   * Who this process runs as: a deployed function's role, from its environment (the service stack
   * sets it; AWS checks it wherever it matters, as the function session tag the management role's
   * trust compares with `aws:PrincipalArn`); any other process, as STS says (asked once). Failed
   * asks are not kept: the next call asks again.
   */
  public identity(): Promise<CallerIdentity> {
    if (this.settings.identity) return Promise.resolve(this.settings.identity);
    if (!this.callerIdentity) {
      const source = defaultIdentitySource;
      if (!source) {
        return Promise.reject(
          new Error(
            `Who this process runs as is unknown: set ${FUNCTION_ROLE_ENV} to its role's ARN (the service stack sets it on every function)`,
          ),
        );
      }
      const asked = source(this);
      asked.catch(() => {
        if (this.callerIdentity === asked) this.callerIdentity = undefined;
      });
      this.callerIdentity = asked;
    }
    return this.callerIdentity;
  }

  /** See {@link managementClient}. */
  public managementClient<T extends PluggableClient>(
    Client: new (config: ClientConfig) => T,
    overrides: Partial<Pick<ClientConfig, 'maxAttempts' | 'region'>> = {},
  ): T {
    // Keyed by the class itself: minified bundles may give two classes the same name.
    let byConfig = this.otherClients.get(Client);
    if (!byConfig) this.otherClients.set(Client, (byConfig = new Map()));
    const key = JSON.stringify(overrides);
    let client = byConfig.get(key) as T | undefined;
    if (!client) {
      client = new Client(withBackendConfig(this.settings, { ...this.config(), ...overrides }));
      // The class alone does not say which service it is in a minified bundle; its serviceId does.
      if (this.settings.managementRoleArn && MANAGEMENT_SERVICES.has(client.config.serviceId ?? '')) {
        const config = { ...this.config(this.managementIdentity()), ...overrides };
        client = new Client(withBackendConfig(this.settings, config));
      }
      client = this.plug(client);
      byConfig.set(key, client);
    }
    return client;
  }

  /**
   * A client acting in a member account through its access role, the one CreateAccount made: the
   * readiness probe's, the first entry into an account, before its baseline (and so the member
   * access role) exists.
   */
  public async accessRoleClient<T extends PluggableClient>(
    Client: new (config: ClientConfig) => T,
    accountId: string,
  ): Promise<T> {
    return this.plug(new Client(this.config(await this.accessRoleCredentials(accountId))));
  }

  /**
   * A client of any service acting in a member account after its baseline: through the member
   * access role when one is configured, else through the access role. As with
   * {@link managementClient}, the caller brings the client class, so that only the handlers that
   * use a service bundle its SDK client. S3 is addressed path-style on an emulator's endpoint.
   */
  public async memberClient<T extends PluggableClient>(
    Client: new (config: ClientConfig) => T,
    accountId: string,
  ): Promise<T> {
    const config = this.config(await this.credentialsFor(accountId));
    if (config.endpoint) config.forcePathStyle = true;
    return this.plug(new Client(config));
  }

  /** Credentials {@link memberClient} acts with in `accountId` (cached until shortly before expiry). */
  public async credentialsFor(accountId: string): Promise<AwsCredentialIdentity> {
    const role = this.settings.memberAccessRoleName;
    if (role === undefined) return this.accessRoleCredentials(accountId);
    // Trusted by this function's own role (no chaining through the management account): one hop.
    return this.cachedSession(`member-access:${accountId}`, () =>
      this.assumeRole(roleArn(accountId, role), this.settings.credentials),
    );
  }

  /** Credentials of the access role CreateAccount made in `accountId` (cached). */
  private async accessRoleCredentials(accountId: string): Promise<AwsCredentialIdentity> {
    // The access role trusts the management account only: with a management role configured, it
    // is assumed from that role's session (role chaining, at most an hour).
    return this.cachedSession(`access:${accountId}`, () =>
      this.assumeRole(roleArn(accountId, this.settings.memberRoleName), this.managementIdentity()),
    );
  }

  private async cachedSession(
    key: string,
    assume: () => Promise<CachedCredentials>,
  ): Promise<AwsCredentialIdentity> {
    const cached = this.memberCredentials.get(key);
    if (cached && cached.expiresAt - RENEW_BEFORE_MS > this.settings.now()) return cached.credentials;
    const assumed = await assume();
    this.memberCredentials.set(key, assumed);
    return assumed.credentials;
  }

  /**
   * The management role's credentials as the SDK asks for them, or the process's own credentials
   * when no role is configured. The session is cached here and renewed against the backend's clock
   * (virtual on the sandbox); the SDK, which would judge the expiry by the wall clock, is told the
   * identity is already due, so it asks this provider before each call and gets the cached session.
   */
  private managementIdentity(): AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined {
    if (!this.settings.managementRoleArn) return this.settings.credentials;
    return async () => ({ ...(await this.managementRoleSession()), expiration: new Date(0) });
  }

  /**
   * Credentials of the management role, assumed with this process's own principal as the
   * function session tag (the role's trust admits only that value), cached until shortly before
   * they expire. Fails as STS does when the role is missing or does not trust the caller.
   */
  public async managementRoleSession(): Promise<AwsCredentialIdentity> {
    const role = this.settings.managementRoleArn;
    if (!role) throw new Error(`No management role: ${MANAGEMENT_ROLE_ENV} is not set`);
    const cached = this.managementRoleCredentials;
    if (cached && cached.expiresAt - RENEW_BEFORE_MS > this.settings.now()) return cached.credentials;
    const { principalArn } = await this.identity();
    const tags = [{ Key: FUNCTION_SESSION_TAG, Value: principalArn }];
    const assumed = await this.assumeRole(role, this.settings.credentials, tags);
    this.managementRoleCredentials = assumed;
    return assumed.credentials;
  }

  private config(
    credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined = this.settings
      .credentials,
  ): ClientConfig {
    const config: ClientConfig = { region: this.settings.region, maxAttempts: this.settings.maxAttempts };
    if (this.settings.endpoint) config.endpoint = this.settings.endpoint;
    if (credentials) config.credentials = credentials;
    return withBackendConfig(this.settings, config);
  }

  /**
   * AssumeRole for an hour (the most a chained session may last) with `credentials` (undefined: the
   * SDK's default chain), through the credential provider the SDK offers for it, whose STS client
   * is the one the SDK's default credential chain already carries: no second STS client in a
   * function's bundle. The session expires when STS says, against the backend's clock (virtual on
   * the sandbox), not this process's.
   */
  private async assumeRole(
    arn: string,
    credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined,
    tags?: { Key: string; Value: string }[],
  ): Promise<CachedCredentials> {
    const assumed = await fromTemporaryCredentials({
      params: {
        RoleArn: arn,
        RoleSessionName: 'appvend',
        DurationSeconds: 3600,
        ...(tags && { Tags: tags }),
      },
      clientConfig: this.config(credentials),
      clientPlugins: this.settings.plugins,
    })();
    const { accessKeyId, secretAccessKey, sessionToken } = assumed;
    return {
      credentials: { accessKeyId, secretAccessKey, sessionToken },
      expiresAt: assumed.expiration?.getTime() ?? this.settings.now() + 3_600_000,
    };
  }

  private plug<T extends PluggableClient>(client: T): T {
    for (const plugin of this.settings.plugins) client.middlewareStack.use(plugin);
    return client;
  }
}
