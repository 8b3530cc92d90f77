import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeConformancePackStatusCommand,
  DescribeConformancePacksCommand,
  InvalidRoleException,
  MaxNumberOfConfigurationRecordersExceededException,
  NoAvailableConfigurationRecorderException,
  NoAvailableDeliveryChannelException,
  NoSuchConformancePackException,
  PutConfigurationRecorderCommand,
  PutConformancePackCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { failure, world, type World } from './support';

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
