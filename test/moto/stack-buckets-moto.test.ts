import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { emptyBucket, stackBuckets } from '../../shared/aws/stack-buckets';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto, startMoto, type MotoServer } from '../support/moto';

/**
 * The calls offboarding makes to empty a stack's buckets, against moto server's wire protocol:
 * ListStackResources, ListObjectVersions and DeleteObjects (with the checksum the SDK adds). The
 * whole offboarding cannot show it on moto: the StackId moto's stack instances report names no
 * stack of the member account, so there the offboarding finds no bucket (the sandbox tests cover it).
 */
describeWithMoto('Adapter: stack buckets against moto server', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let cloudFormation: CloudFormationClient;

  beforeAll(async () => {
    // A server of its own: another file's reset() must not wipe the bucket mid-test.
    moto = await startMoto({ isolated: true });
    const config = { region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    s3 = new S3Client({ ...config, forcePathStyle: true });
    cloudFormation = new CloudFormationClient(config);
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it("finds a stack's bucket by CloudFormation's record and removes every version and delete marker", async () => {
    // Prepare: a stack with a versioned bucket; versions written over, and a delete marker.
    const Bucket = 'appvend-orders-artifacts-123456789012';
    const { StackId } = await cloudFormation.send(
      new CreateStackCommand({
        StackName: 'StackSet-appvend-orders-artifact-store-0001',
        TemplateBody: JSON.stringify({
          Resources: {
            ArtifactBucket: {
              Type: 'AWS::S3::Bucket',
              Properties: { BucketName: Bucket, VersioningConfiguration: { Status: 'Enabled' } },
            },
          },
        }),
      }),
    );
    // moto's CloudFormation does not apply VersioningConfiguration; the bucket is versioned by hand.
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    for (const body of ['one', 'two', 'three']) {
      await s3.send(new PutObjectCommand({ Bucket, Key: 'build/out.zip', Body: body }));
    }
    await s3.send(new PutObjectCommand({ Bucket, Key: 'source/in.zip', Body: 'src' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'source/in.zip' }));

    // Act
    const buckets = await stackBuckets(cloudFormation, StackId!);
    const progress = await emptyBucket(s3, Bucket, 5);
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket }));

    // Assess
    expect(buckets).toEqual([Bucket]);
    expect(progress).toEqual({ empty: true, removed: 5, pages: 2 });
    expect([...(after.Versions ?? []), ...(after.DeleteMarkers ?? [])]).toEqual([]);
  });

  it('finds nothing to empty for a stack that does not exist, and a bucket that does not exist is empty', async () => {
    const missing = `arn:aws:cloudformation:${MOTO_REGION}:123456789012:stack/StackSet-gone/0000`;

    expect(await stackBuckets(cloudFormation, missing)).toEqual([]);
    expect(await emptyBucket(s3, 'appvend-gone-artifacts-123456789012', 5)).toEqual({
      empty: true,
      removed: 0,
      pages: 1,
    });
  });
});
