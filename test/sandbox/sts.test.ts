import { PutConfigurationRecorderCommand } from '@aws-sdk/client-config-service';
import { ListRootsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import { MINUTE, assume, failure, vendAccounts, world } from './support';

describe('Class: Sandbox', () => {
  describe('STS and identity', () => {
    it('identifies the management credentials as the management account', async () => {
      // Prepare
      const w = world();

      // Act
      const identity = await w.sts.send(new GetCallerIdentityCommand({}));

      // Assess
      expect(identity).toMatchObject({
        Account: '111111111111',
        Arn: 'arn:aws:iam::111111111111:user/sandbox-admin',
      });
    });

    it('issues role credentials whose calls are attributed to the role account', async () => {
      // Prepare
      const w = world();
      const [member] = await vendAccounts(w, 1);
      const credentials = await assume(w, member!);

      // Act
      const identity = await w.clientsFor(credentials).sts.send(new GetCallerIdentityCommand({}));

      // Assess
      expect(credentials.accessKeyId).toMatch(new RegExp(`^ASIA${member}[0-9A-Z]{4}$`));
      expect(identity).toMatchObject({
        Account: member,
        Arn: `arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/test`,
      });
    });

    it('attributes Config calls made with role credentials to the member account', async () => {
      // Prepare
      const w = world();
      const [member] = await vendAccounts(w, 1);
      const clients = w.clientsFor(await assume(w, member!));

      // Act
      await clients.config.send(
        new PutConfigurationRecorderCommand({
          ConfigurationRecorder: { name: 'default', roleARN: `arn:aws:iam::${member}:role/config` },
        }),
      );

      // Assess
      expect(w.sandbox.configState(member!).recorder?.name).toBe('default');
      expect(w.sandbox.configState('111111111111').recorder).toBeUndefined();
      expect(w.sandbox.calls.at(-1)).toMatchObject({
        service: 'config',
        operation: 'PutConfigurationRecorder',
        accountId: member,
        mutating: true,
      });
    });

    it('denies AssumeRole into an account whose creation has not completed', async () => {
      // Prepare
      const w = world();
      await vendAccounts(w, 0);

      // Act
      const error = await failure(assume(w, '200000000001'));

      // Assess
      expect(error).toBeInstanceOf(STSServiceException);
      expect(error.name).toBe('AccessDenied');
      expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);
    });

    it('denies AssumeRole into a role the account does not have', async () => {
      // Prepare
      const w = world();
      const [member] = await vendAccounts(w, 1);

      // Act
      const error = await failure(assume(w, member!, 'NoSuchRole'));

      // Assess
      expect(error.name).toBe('AccessDenied');
    });

    it('refuses a role ARN that is not one with ValidationError', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.sts.send(new AssumeRoleCommand({ RoleArn: 'not-an-arn', RoleSessionName: 'test' })),
      );

      // Assess
      expect(error.name).toBe('ValidationError');
    });

    it('expires role credentials after their duration on the sandbox clock', async () => {
      // Prepare
      const w = world();
      const [member] = await vendAccounts(w, 1);
      const clients = w.clientsFor(await assume(w, member!));

      // Act
      w.clock.advance(60 * MINUTE);
      const error = await failure(clients.sts.send(new GetCallerIdentityCommand({})));

      // Assess
      expect(error.name).toBe('ExpiredTokenException');
    });

    it('does not recognize credentials it never issued', async () => {
      // Prepare
      const w = world();
      const clients = w.clientsFor({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' });

      // Act
      const error = await failure(clients.organizations.send(new ListRootsCommand({})));

      // Assess
      expect(error.name).toBe('UnrecognizedClientException');
      expect(w.sandbox.calls.at(-1)).toMatchObject({ accountId: '', error: 'UnrecognizedClientException' });
    });

    it('records AssumeRole as not mutating', async () => {
      // Prepare
      const w = world();
      const [member] = await vendAccounts(w, 1);

      // Act
      await assume(w, member!);

      // Assess
      expect(w.sandbox.calls.at(-1)).toMatchObject({
        service: 'sts',
        operation: 'AssumeRole',
        mutating: false,
      });
    });
  });
});
