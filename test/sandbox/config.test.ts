import {
  DeleteConformancePackCommand,
  DeleteDeliveryChannelCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConformancePackStatusCommand,
  DescribeConformancePacksCommand,
  InsufficientDeliveryPolicyException,
  InvalidRecordingGroupException,
  InvalidRoleException,
  LastDeliveryChannelDeleteFailedException,
  MaxNumberOfDeliveryChannelsExceededException,
  MaxNumberOfConfigurationRecordersExceededException,
  NoAvailableConfigurationRecorderException,
  NoAvailableDeliveryChannelException,
  NoSuchConformancePackException,
  PutConfigurationRecorderCommand,
  PutConformancePackCommand,
  PutDeliveryChannelCommand,
  ResourceInUseException,
  StartConfigurationRecorderCommand,
  StopConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { configDeliveryBucketPolicy } from '../../shared/domain/config-delivery';
import { assume, failure, vendAccounts, world, type World } from './support';

const ROLE = 'arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig';
const PACK = JSON.stringify({
  Resources: {
    Versioning: {
      Type: 'AWS::Config::ConfigRule',
      Properties: {
        ConfigRuleName: 's3-bucket-versioning-enabled',
        Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_VERSIONING_ENABLED' },
      },
    },
  },
});

const putPack = (w: World, name = 'guardrails') =>
  w.config.send(new PutConformancePackCommand({ ConformancePackName: name, TemplateBody: PACK }));

const packStatus = async (w: World, name = 'guardrails') => {
  const { ConformancePackStatusDetails } = await w.config.send(
    new DescribeConformancePackStatusCommand({ ConformancePackNames: [name] }),
  );
  return ConformancePackStatusDetails?.[0];
};

const putChannel = (w: World, name = 'default') =>
  w.config.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name, s3BucketName: 'config-bucket' } }));

const putRecorder = (w: World, name = 'default', roleARN = ROLE) =>
  w.config.send(
    new PutConfigurationRecorderCommand({
      ConfigurationRecorder: { name, roleARN, recordingGroup: { allSupported: true } },
    }),
  );

describe('Class: Sandbox', () => {
  describe('AWS Config', () => {
    it('allows one configuration recorder per account and Region', async () => {
      // Prepare
      const w = world();
      await putRecorder(w);

      // Act
      const error = await failure(putRecorder(w, 'second'));

      // Assess
      expect(error).toBeInstanceOf(MaxNumberOfConfigurationRecordersExceededException);
    });

    it('requires a role for the recorder', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(putRecorder(w, 'default', ''));

      // Assess
      expect(error).toBeInstanceOf(InvalidRoleException);
    });

    it('requires a recorder before a delivery channel', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.config.send(
          new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: 'b' } }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(NoAvailableConfigurationRecorderException);
    });

    it('requires a delivery channel before recording starts', async () => {
      // Prepare
      const w = world();
      await putRecorder(w);

      // Act
      const error = await failure(
        w.config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' })),
      );

      // Assess
      expect(error).toBeInstanceOf(NoAvailableDeliveryChannelException);
    });

    it('records once started', async () => {
      // Prepare
      const w = world();
      await putRecorder(w);
      await w.config.send(
        new PutDeliveryChannelCommand({
          DeliveryChannel: { name: 'default', s3BucketName: 'config-bucket' },
        }),
      );

      // Act
      await w.config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
      const { ConfigurationRecordersStatus } = await w.config.send(
        new DescribeConfigurationRecorderStatusCommand({}),
      );

      // Assess
      expect(ConfigurationRecordersStatus).toMatchObject([
        { name: 'default', recording: true, lastStatus: 'Success' },
      ]);
    });

    it('requires a recorder before a conformance pack', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.config.send(
          new PutConformancePackCommand({ ConformancePackName: 'guardrails', TemplateBody: PACK }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(NoAvailableConfigurationRecorderException);
    });

    it('deploys a conformance pack asynchronously on the sandbox clock', async () => {
      // Prepare
      const w = world();
      await putRecorder(w);
      await w.config.send(
        new PutConformancePackCommand({ ConformancePackName: 'guardrails', TemplateBody: PACK }),
      );
      const state = async () => {
        const { ConformancePackStatusDetails } = await w.config.send(
          new DescribeConformancePackStatusCommand({ ConformancePackNames: ['guardrails'] }),
        );
        return ConformancePackStatusDetails?.[0]?.ConformancePackState;
      };

      // Act
      const before = await state();
      w.clock.advance(DEFAULT_LATENCY.conformancePackDeploy);
      const after = await state();

      // Assess
      expect([before, after]).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    });

    it('ends a pack CREATE_FAILED with its status reason when its deployment is armed to fail', async () => {
      // Prepare
      const w = world();
      await putRecorder(w);
      w.sandbox.failConformancePacks({
        name: 'guardrails',
        reason: 'Rule s3-bucket-versioning-enabled failed',
      });
      await putPack(w);

      // Act
      w.clock.advance(DEFAULT_LATENCY.conformancePackDeploy);
      const failed = await packStatus(w);
      await putPack(w);
      w.clock.advance(DEFAULT_LATENCY.conformancePackDeploy);
      const again = await packStatus(w);

      // Assess
      expect(failed).toMatchObject({
        ConformancePackState: 'CREATE_FAILED',
        ConformancePackStatusReason: 'Rule s3-bucket-versioning-enabled failed',
      });
      expect(failed?.LastUpdateCompletedTime).toBeUndefined();
      // The failure was used up: the next put deploys.
      expect(again).toMatchObject({ ConformancePackState: 'CREATE_COMPLETE' });
      expect(again?.ConformancePackStatusReason).toBeUndefined();
    });

    it('refuses to put or delete a pack while it is being deployed', async () => {
      // Prepare
      const w = world();
      await putRecorder(w);
      await putPack(w);

      // Act
      const put = await failure(putPack(w));
      const remove = await failure(
        w.config.send(new DeleteConformancePackCommand({ ConformancePackName: 'guardrails' })),
      );
      w.clock.advance(DEFAULT_LATENCY.conformancePackDeploy);
      await w.config.send(new DeleteConformancePackCommand({ ConformancePackName: 'guardrails' }));
      const gone = await failure(
        w.config.send(new DescribeConformancePacksCommand({ ConformancePackNames: ['guardrails'] })),
      );

      // Assess
      expect(put).toBeInstanceOf(ResourceInUseException);
      expect(remove).toBeInstanceOf(ResourceInUseException);
      expect(gone).toBeInstanceOf(NoSuchConformancePackException);
    });

    it('allows one delivery channel per account and Region', async () => {
      // Prepare
      const w = world();
      await putRecorder(w);
      await putChannel(w);

      // Act
      const error = await failure(putChannel(w, 'second'));

      // Assess
      expect(error).toBeInstanceOf(MaxNumberOfDeliveryChannelsExceededException);
    });

    it('refuses a recording group that records all supported types and lists types', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.config.send(
          new PutConfigurationRecorderCommand({
            ConfigurationRecorder: {
              name: 'default',
              roleARN: ROLE,
              recordingGroup: { allSupported: true, resourceTypes: ['AWS::S3::Bucket'] },
            },
          }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(InvalidRecordingGroupException);
    });

    it('refuses to delete the delivery channel while the recorder runs, and deletes it once stopped', async () => {
      // Prepare
      const w = world();
      await putRecorder(w);
      await putChannel(w);
      await w.config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));

      // Act
      const error = await failure(
        w.config.send(new DeleteDeliveryChannelCommand({ DeliveryChannelName: 'default' })),
      );
      await w.config.send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
      await w.config.send(new DeleteDeliveryChannelCommand({ DeliveryChannelName: 'default' }));

      // Assess
      expect(error).toBeInstanceOf(LastDeliveryChannelDeleteFailedException);
      expect(
        w.sandbox.configState(w.sandbox.organization().MasterAccountId!).deliveryChannel,
      ).toBeUndefined();
    });

    it('answers NoSuchConformancePackException for a named pack that does not exist', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.config.send(new DescribeConformancePacksCommand({ ConformancePackNames: ['missing'] })),
      );

      // Assess
      expect(error).toBeInstanceOf(NoSuchConformancePackException);
    });

    it('refuses a pack template with resources other than Config rules', async () => {
      // Prepare
      const w = world();
      await putRecorder(w);
      const template = JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } });

      // Act
      const error = await failure(
        w.config.send(
          new PutConformancePackCommand({ ConformancePackName: 'guardrails', TemplateBody: template }),
        ),
      );

      // Assess
      expect(error.name).toBe('ConformancePackTemplateValidationException');
    });
  });
});

describe('Class: Sandbox', () => {
  describe("AWS Config's delivery check (PutDeliveryChannel)", () => {
    const BUCKET = 'org-config-delivery';
    const MANAGEMENT = '111111111111';

    /** A member account whose recorder records as a role the sandbox knows (no S3 write). */
    async function member(w: World) {
      const [id] = await vendAccounts(w, 1);
      const clients = w.clientsFor(await assume(w, id!));
      await clients.config.send(
        new PutConfigurationRecorderCommand({
          ConfigurationRecorder: {
            name: 'default',
            roleARN: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`,
          },
        }),
      );
      const put = () =>
        clients.config.send(
          new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: BUCKET } }),
        );
      return { id: id!, put };
    }

    const servicePrincipal = (condition?: object) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'config.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/*`,
          ...(condition && { Condition: condition }),
        },
      ],
    });

    it('refuses a bucket in another account that admits neither the role nor the service principal', async () => {
      // Prepare
      const w = world();
      const { put } = await member(w);
      w.sandbox.putExternalBucket({
        name: BUCKET,
        account: MANAGEMENT,
        policy: configDeliveryBucketPolicy(BUCKET, w.sandbox.organization().Id!),
      });

      // Act: the recorder's role has no S3 write, so only the service principal could deliver
      const error = await failure(put());

      // Assess
      expect(error).toBeInstanceOf(InsufficientDeliveryPolicyException);
    });

    it('refuses the service principal under an organization condition, admits it for its account', async () => {
      // Prepare
      const w = world();
      const { id, put } = await member(w);
      const orgId = w.sandbox.organization().Id!;

      // Act
      w.sandbox.putExternalBucket({
        name: BUCKET,
        account: MANAGEMENT,
        policy: servicePrincipal({ StringEquals: { 'aws:SourceOrgID': orgId } }),
      });
      const byOrganization = await failure(put());
      w.sandbox.putExternalBucket({
        name: BUCKET,
        account: MANAGEMENT,
        policy: servicePrincipal({ StringEquals: { 'aws:SourceAccount': [id] } }),
      });
      await put();

      // Assess
      expect(byOrganization).toBeInstanceOf(InsufficientDeliveryPolicyException);
      expect(w.sandbox.configState(id).deliveryChannel?.s3BucketName).toBe(BUCKET);
    });
  });
});
