import { ConfigServiceClient, PutOrganizationConfigRuleCommand } from '@aws-sdk/client-config-service';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { awsClients, configureAws, managementClient } from '../../shared/aws/client-factory';
import { UnsupportedOperationError } from '../../shared/errors';
import { NOT_RETRIED } from '../../shared/domain/retry';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto, startMoto, type MotoServer } from '../support/moto';

/**
 * moto 5.2 does not implement Config's PutOrganizationConfigRule: it answers with an HTML page,
 * which the SDK's JSON parser reports as `Unexpected token '<'`, naming no call. Through the
 * client factory's real SDK clients, the failure names the operation and the endpoint.
 */
describeWithMoto('Client factory: an operation the endpoint does not implement (moto server)', () => {
  let moto: MotoServer;

  beforeAll(async () => {
    moto = await startMoto({ isolated: true });
    configureAws({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
  }, 60_000);

  afterAll(async () => {
    configureAws({});
    await moto?.stop();
  });

  it('fails with UnsupportedOperationError naming ConfigService:PutOrganizationConfigRule and the endpoint', async () => {
    // Act
    const failure = await managementClient(ConfigServiceClient)
      .send(
        new PutOrganizationConfigRuleCommand({
          OrganizationConfigRuleName: 'appvend-probe',
          OrganizationManagedRuleMetadata: { RuleIdentifier: 'S3_BUCKET_VERSIONING_ENABLED' },
        }),
      )
      .catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(UnsupportedOperationError);
    const error = failure as UnsupportedOperationError;
    expect(error.name).toBe('UnsupportedOperationError');
    expect(error.message).toContain('ConfigService:PutOrganizationConfigRule');
    expect(error.message).toContain(moto.endpoint);
    expect((error.cause as Error).message).toContain('is not valid JSON');
    expect(NOT_RETRIED).toHaveProperty(error.name);
  });

  it("leaves moto's own AWS errors as they are (an operation it implements and refuses)", async () => {
    // Act: no organization exists on this fresh server
    const failure = await awsClients()
      .organizations()
      .send(new DescribeOrganizationCommand({}))
      .catch((error: unknown) => error);

    // Assess
    expect(failure).not.toBeInstanceOf(UnsupportedOperationError);
    expect((failure as Error).name).toBe('AWSOrganizationsNotInUseException');
  });
});
