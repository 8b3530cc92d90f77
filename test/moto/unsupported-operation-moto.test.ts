import { ConfigServiceClient, PutOrganizationConfigRuleCommand } from '@aws-sdk/client-config-service';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { awsClients, configureAws, managementClient } from '../../shared/aws/client-factory';
import { UnsupportedOperationError } from '../../shared/errors';
import { NOT_RETRIED } from '../../shared/domain/retry';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../../shared/clock/clock';
import { configureLedger } from '../../shared/ledger';
import { DynamoDbLedgerStore } from '../../shared/ledger/dynamodb-store';
import { Ledger } from '../../shared/ledger/ledger';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { openMotoWorld } from '../support/moto-world';
import { createSuspendedOu, offboard, vendThroughLedger } from '../support/offboard';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

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

/**
 * The offboarding's first step deletes each account's conformance pack, which moto does not
 * implement. Without the stand-in the vend used, the offboarding fails there: the failure names the
 * Config operation and the endpoint, and the ledger records it (step and reason) on the
 * application's item, so that nobody reads the item as an offboarding still running.
 */
describeWithMoto('Offboarding: a step moto does not implement is recorded as the failure', () => {
  let moto: MotoServer;
  const clock = new VirtualClock(Date.now());
  let ledger: Ledger;

  beforeAll(async () => {
    moto = await startMoto({ isolated: true });
    await openMotoWorld(moto.endpoint);
    ledger = new Ledger(
      new DynamoDbLedgerStore(managementClient(DynamoDBClient), process.env.APPVEND_LEDGER_TABLE!),
    );
    configureLedger(ledger);
  }, 60_000);

  afterAll(async () => {
    configureLedger(undefined);
    delete process.env.APPVEND_SUSPENDED_OU_ID;
    configureAws({});
    await moto?.stop();
  });

  it('fails RemoveGuardrails naming ConfigService and the endpoint, and records it in the ledger', async () => {
    // Prepare: a vend with conformance packs answered by the stand-in, then the clients without it
    const vend = await vendThroughLedger({ ledger, clock }, sample);
    expect(vend.summary.error).toBeUndefined();
    configureAws({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    process.env.APPVEND_SUSPENDED_OU_ID = await createSuspendedOu();

    // Act
    const run = await offboard({ ledger, clock }, 'orders');
    const record = await ledger.get('orders');

    // Assess
    if (run === 'already-offboarded') throw new Error('expected an offboarding to run');
    expect(run.summary.status).toBe('FAILED');
    expect(run.summary.error?.step).toBe('RemoveGuardrails');
    expect(run.summary.error?.message).toMatch(
      new RegExp(
        `^ConfigService:\\w+ConformancePack\\w* is not implemented by the endpoint ${moto.endpoint}`,
      ),
    );
    // OFFBOARDING with the failure on it: a failed offboarding blocks a vend until it is run again.
    expect(record?.status).toBe('OFFBOARDING');
    expect(record?.offboarding?.error).toEqual(run.summary.error);
  }, 240_000);
});
