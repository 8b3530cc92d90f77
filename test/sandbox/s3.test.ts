import {
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DescribeStackInstanceCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectsCommand,
  GetBucketLoggingCommand,
  ListObjectVersionsCommand,
  PutBucketLoggingCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DEFAULT_LATENCY } from '../../shared/sandbox';
import { REGION, assume, failure, vendAccounts, world, type World } from './support';

const {
  stackSetOperationOverhead: OVERHEAD,
  stackInstanceCreate: CREATE,
  stackInstanceDelete: DELETE,
  s3LogDelivery: LOG_DELIVERY,
} = DEFAULT_LATENCY;
const NAME = 'appvend-shop-artifact-store';

/** A template like the artifact store: a versioned bucket named after the application and account. */
const bucketTemplate = JSON.stringify({
  Parameters: { AppName: { Type: 'String' } },
  Resources: {
    Bucket: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketName: { 'Fn::Sub': 'appvend-${AppName}-artifacts-${AWS::AccountId}' },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    },
  },
});

/** As the artifact store: the artifact bucket logs its requests into a versioned log bucket. */
const loggingTemplate = JSON.stringify({
  Parameters: { AppName: { Type: 'String' } },
  Resources: {
    Logs: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketName: { 'Fn::Sub': 'appvend-${AppName}-logs-${AWS::AccountId}' },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    },
    Bucket: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketName: { 'Fn::Sub': 'appvend-${AppName}-artifacts-${AWS::AccountId}' },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: 'Logs' }, LogFilePrefix: 'artifacts/' },
      },
    },
  },
});

async function deployBucket(w: World, accounts: string[], stackSetName = NAME, template = bucketTemplate) {
  await w.cloudformation.send(
    new CreateStackSetCommand({
      StackSetName: stackSetName,
      TemplateBody: template,
      Parameters: [{ ParameterKey: 'AppName', ParameterValue: 'shop' }],
      AdministrationRoleARN: 'arn:aws:iam::111111111111:role/AWSCloudFormationStackSetAdministrationRole',
      ExecutionRoleName: 'OrganizationAccountAccessRole',
    }),
  );
  await w.cloudformation.send(
    new CreateStackInstancesCommand({ StackSetName: stackSetName, Accounts: accounts, Regions: [REGION] }),
  );
  w.clock.advance(OVERHEAD + CREATE * accounts.length);
}

async function s3In(w: World, account: string): Promise<S3Client> {
  const client = new S3Client({ region: REGION, credentials: await assume(w, account), maxAttempts: 1 });
  client.middlewareStack.use(w.sandbox.plugin());
  return client;
}

async function instanceStatus(w: World, account: string) {
  const { StackInstance } = await w.cloudformation.send(
    new DescribeStackInstanceCommand({
      StackSetName: NAME,
      StackInstanceAccount: account,
      StackInstanceRegion: REGION,
    }),
  );
  return StackInstance;
}

describe('Class: Sandbox', () => {
  describe('S3: the buckets stacks create', () => {
    it('creates the named bucket in the target account and lists it among the stack resources there', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);

      // Act
      await deployBucket(w, [account!]);
      const { StackId } = (await instanceStatus(w, account!))!;
      const cfn = w.clientsFor(await assume(w, account!)).cloudformation;
      const { StackResourceSummaries } = await cfn.send(
        new ListStackResourcesCommand({ StackName: StackId }),
      );

      // Assess
      expect(w.sandbox.buckets()).toEqual([
        expect.objectContaining({
          name: `appvend-shop-artifacts-${account}`,
          account,
          logicalId: 'Bucket',
          versioning: true,
          versions: 0,
        }),
      ]);
      expect(StackResourceSummaries).toEqual([
        expect.objectContaining({
          LogicalResourceId: 'Bucket',
          PhysicalResourceId: `appvend-shop-artifacts-${account}`,
          ResourceType: 'AWS::S3::Bucket',
        }),
      ]);
    });

    it('keeps every version and delete marker, newest first per key, and pages them with markers', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await deployBucket(w, [account!]);
      const s3 = await s3In(w, account!);
      const Bucket = `appvend-shop-artifacts-${account}`;
      for (const key of ['b', 'a', 'b']) await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: key }));
      await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'a' }] } }));

      // Act
      const first = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 3 }));
      const second = await s3.send(
        new ListObjectVersionsCommand({
          Bucket,
          KeyMarker: first.NextKeyMarker,
          VersionIdMarker: first.NextVersionIdMarker,
        }),
      );

      // Assess
      const entries = (page: typeof first) =>
        [
          ...(page.Versions ?? []).map((v) => ({
            key: v.Key,
            latest: v.IsLatest,
            marker: false,
            id: v.VersionId,
          })),
          ...(page.DeleteMarkers ?? []).map((v) => ({
            key: v.Key,
            latest: v.IsLatest,
            marker: true,
            id: v.VersionId,
          })),
        ].sort((x, y) => x.key!.localeCompare(y.key!) || y.id!.localeCompare(x.id!));
      expect(first.IsTruncated).toBe(true);
      expect(entries(first).map((e) => [e.key, e.latest, e.marker])).toEqual([
        ['a', true, true],
        ['a', false, false],
        ['b', true, false],
      ]);
      expect(second.IsTruncated).toBe(false);
      expect(entries(second).map((e) => [e.key, e.latest, e.marker])).toEqual([['b', false, false]]);
    });

    it('refuses another account, and a bucket that does not exist', async () => {
      // Prepare
      const w = world();
      const [owner, other] = await vendAccounts(w, 2);
      await deployBucket(w, [owner!]);
      const s3 = await s3In(w, other!);

      // Act
      const denied = await failure(
        s3.send(new PutObjectCommand({ Bucket: `appvend-shop-artifacts-${owner}`, Key: 'k', Body: 'x' })),
      );
      const missing = await failure(
        s3.send(new ListObjectVersionsCommand({ Bucket: 'appvend-nothing-here' })),
      );

      // Assess
      expect([denied.name, missing.name]).toEqual(['AccessDenied', 'NoSuchBucket']);
      expect(w.sandbox.buckets()[0]!.versions).toBe(0);
    });

    it('fails the deletion of a stack whose bucket holds any version, as CloudFormation does, and deletes it once emptied', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await deployBucket(w, [account!]);
      const s3 = await s3In(w, account!);
      const Bucket = `appvend-shop-artifacts-${account}`;
      const { VersionId } = await s3.send(new PutObjectCommand({ Bucket, Key: 'artifact.zip', Body: 'zip' }));
      const remove = () =>
        w.cloudformation.send(
          new DeleteStackInstancesCommand({
            StackSetName: NAME,
            Accounts: [account!],
            Regions: [REGION],
            RetainStacks: false,
          }),
        );

      // Act
      await remove();
      w.clock.advance(OVERHEAD + DELETE);
      const refused = await instanceStatus(w, account!);
      await s3.send(
        new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'artifact.zip', VersionId }] } }),
      );
      await remove();
      w.clock.advance(OVERHEAD + DELETE);

      // Assess
      expect(refused).toMatchObject({
        Status: 'INOPERABLE',
        StackInstanceStatus: { DetailedStatus: 'FAILED' },
        StatusReason: expect.stringContaining('The bucket you tried to delete is not empty'),
      });
      expect(w.sandbox.buckets()).toEqual([]);
      expect(w.sandbox.stackInstances()).toEqual([]);
    });

    it('delivers the access log of each request late, into the target bucket, until logging is turned off', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await deployBucket(w, [account!], NAME, loggingTemplate);
      const s3 = await s3In(w, account!);
      const Bucket = `appvend-shop-artifacts-${account}`;
      const logs = `appvend-shop-logs-${account}`;
      const logCount = async () =>
        (await s3.send(new ListObjectVersionsCommand({ Bucket: logs }))).Versions?.length ?? 0;

      // Act
      await s3.send(new PutObjectCommand({ Bucket, Key: 'artifact.zip', Body: 'zip' }));
      const atOnce = await logCount();
      w.clock.advance(LOG_DELIVERY);
      const delivered = await s3.send(new ListObjectVersionsCommand({ Bucket: logs }));
      await s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: {} }));
      const configuration = await s3.send(new GetBucketLoggingCommand({ Bucket }));
      await s3.send(new PutObjectCommand({ Bucket, Key: 'artifact.zip', Body: 'zip' }));
      w.clock.advance(LOG_DELIVERY);

      // Assess
      expect(atOnce).toBe(0);
      expect(delivered.Versions?.map((v) => v.Key)).toEqual([
        expect.stringMatching(/^artifacts\/.*PutObject/),
      ]);
      expect(configuration.LoggingEnabled).toBeUndefined();
      expect(await logCount()).toBe(1);
    });

    it('fails the deletion of a stack whose log bucket a late log refilled after it was emptied', async () => {
      // Prepare: both buckets emptied just before the deletion; emptying the artifacts was logged
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await deployBucket(w, [account!], NAME, loggingTemplate);
      const s3 = await s3In(w, account!);
      const Bucket = `appvend-shop-artifacts-${account}`;
      await s3.send(new ListObjectVersionsCommand({ Bucket }));
      expect(LOG_DELIVERY).toBeLessThan(OVERHEAD + DELETE);

      // Act
      await w.cloudformation.send(
        new DeleteStackInstancesCommand({
          StackSetName: NAME,
          Accounts: [account!],
          Regions: [REGION],
          RetainStacks: false,
        }),
      );
      w.clock.advance(OVERHEAD + DELETE);

      // Assess
      expect(await instanceStatus(w, account!)).toMatchObject({
        StackInstanceStatus: { DetailedStatus: 'FAILED' },
        StatusReason: expect.stringContaining('ResourceLogicalId:Logs'),
      });
      expect(w.sandbox.buckets().map((b) => [b.name, b.versions])).toEqual([
        [Bucket, 0],
        [`appvend-shop-logs-${account}`, 1],
      ]);
    });

    it('refuses a logging target bucket that does not exist', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await deployBucket(w, [account!]);
      const s3 = await s3In(w, account!);
      const Bucket = `appvend-shop-artifacts-${account}`;

      // Act
      const error = await failure(
        s3.send(
          new PutBucketLoggingCommand({
            Bucket,
            BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'appvend-nowhere', TargetPrefix: 'x/' } },
          }),
        ),
      );

      // Assess
      expect(error.name).toBe('InvalidTargetBucketForLogging');
      expect((await s3.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled).toBeUndefined();
    });

    it('refuses a DeleteObjects of more than 1,000 keys, deleting none of them', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await deployBucket(w, [account!]);
      const s3 = await s3In(w, account!);
      const Bucket = `appvend-shop-artifacts-${account}`;
      await s3.send(new PutObjectCommand({ Bucket, Key: 'k0', Body: 'zip' }));
      const keys = Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` }));

      // Act
      const error = await failure(s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys } })));

      // Assess
      expect(error.name).toBe('MalformedXML');
      expect(w.sandbox.buckets()[0]?.versions).toBe(1);
    });

    it('keeps a retained stack’s bucket, with what it holds, when its instance is deleted with RetainStacks', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await deployBucket(w, [account!]);
      const s3 = await s3In(w, account!);
      const Bucket = `appvend-shop-artifacts-${account}`;
      await s3.send(new PutObjectCommand({ Bucket, Key: 'artifact.zip', Body: 'zip' }));

      // Act
      await w.cloudformation.send(
        new DeleteStackInstancesCommand({
          StackSetName: NAME,
          Accounts: [account!],
          Regions: [REGION],
          RetainStacks: true,
        }),
      );
      w.clock.advance(OVERHEAD);

      // Assess
      expect(w.sandbox.stackInstances()).toEqual([]);
      expect(w.sandbox.buckets().map((b) => [b.name, b.versions])).toEqual([[Bucket, 1]]);
    });

    it('fails a second stack that would create a bucket of a name already taken', async () => {
      // Prepare
      const w = world();
      const [account] = await vendAccounts(w, 1);
      await deployBucket(w, [account!]);

      // Act
      await deployBucket(w, [account!], 'appvend-shop-artifact-store-copy');

      // Assess
      const copy = w.sandbox
        .stackInstances()
        .find((i) => i.stackSetName === 'appvend-shop-artifact-store-copy');
      expect(copy).toMatchObject({
        detailedStatus: 'FAILED',
        statusReason: `appvend-shop-artifacts-${account} already exists`,
      });
      expect(w.sandbox.buckets()).toHaveLength(1);
    });
  });
});
