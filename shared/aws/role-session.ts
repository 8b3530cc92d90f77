import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type Tag } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * What the client factory needs from STS, loaded only when a role is assumed or STS is asked who
 * the caller is (shared/aws/client-factory.ts imports this module with `import()`, which says why).
 */
export { STSClient };

/** Credentials assumed for a role, with the time (backend's clock) they expire. */
export interface CachedCredentials {
  credentials: AwsCredentialIdentity;
  expiresAt: number;
}

/** AssumeRole for an hour (the most a chained session may last), cached until shortly before expiry. */
export async function assumeRole(
  sts: STSClient,
  arn: string,
  now: () => number,
  tags?: Tag[],
): Promise<CachedCredentials> {
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: arn,
      RoleSessionName: 'appvend',
      DurationSeconds: 3600,
      ...(tags && { Tags: tags }),
    }),
  );
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
    throw new Error(`AssumeRole of ${arn} returned no credentials`);
  }
  const credentials: AwsCredentialIdentity = {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
  };
  // As STS says, against the backend's clock (virtual on the sandbox), not this process's.
  const expiresAt = Credentials.Expiration?.getTime() ?? now() + 3_600_000;
  return { credentials, expiresAt };
}

/** The ARN of the caller, as STS vouches for it (GetCallerIdentity). */
export async function callerArn(sts: STSClient): Promise<string> {
  const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
  return Arn ?? '';
}
