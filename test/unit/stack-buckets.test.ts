import {
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  type DeleteObjectsCommandOutput,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { emptyBucket } from '../../shared/aws/stack-buckets';
import { BucketEmptyingError } from '../../shared/errors';

/** An S3 client whose bucket always lists the same two versions and answers deletes as told. */
function s3Answering(errors: NonNullable<DeleteObjectsCommandOutput['Errors']>) {
  const sent: string[] = [];
  const client = {
    send: (command: object) => {
      if (command instanceof ListObjectVersionsCommand) {
        sent.push('ListObjectVersions');
        const page: Partial<ListObjectVersionsCommandOutput> = {
          Versions: [{ Key: 'a.zip', VersionId: 'v1' }],
          DeleteMarkers: [{ Key: 'b.zip', VersionId: 'v2' }],
        };
        return Promise.resolve(page);
      }
      if (command instanceof DeleteObjectsCommand) {
        sent.push(`DeleteObjects ${JSON.stringify(command.input.Delete?.Objects)}`);
        return Promise.resolve({ Errors: errors });
      }
      return Promise.reject(new Error('unexpected command'));
    },
  };
  return { client: client as unknown as S3Client, sent };
}

describe('Function: emptyBucket', () => {
  it('deletes every version and delete marker listed, by version id', async () => {
    const { client, sent } = s3Answering([]);

    const progress = await emptyBucket(client, 'appvend-shop-artifacts-222222222222', 1);

    expect(progress).toEqual({ empty: false, removed: 2, pages: 1 });
    expect(sent).toEqual([
      'ListObjectVersions',
      'DeleteObjects [{"Key":"a.zip","VersionId":"v1"},{"Key":"b.zip","VersionId":"v2"}]',
    ]);
  });

  it('refuses with the bucket, key and S3 code when a deletion is denied', async () => {
    const { client } = s3Answering([
      { Key: 'a.zip', VersionId: 'v1', Code: 'AccessDenied', Message: 'Access Denied' },
    ]);

    const failure = emptyBucket(client, 'appvend-shop-artifacts-222222222222', 3);

    await expect(failure).rejects.toThrow(BucketEmptyingError);
    await expect(failure).rejects.toThrow(
      'cannot empty bucket appvend-shop-artifacts-222222222222 before its stack is deleted: deleting a.zip (version v1) was refused with AccessDenied: Access Denied',
    );
  });

  it('lists again what S3 could not delete for a passing reason, without counting it removed', async () => {
    const { client, sent } = s3Answering([
      { Key: 'a.zip', VersionId: 'v1', Code: 'InternalError', Message: 'We encountered an internal error.' },
    ]);

    const progress = await emptyBucket(client, 'appvend-shop-artifacts-222222222222', 2);

    expect(progress).toEqual({ empty: false, removed: 2, pages: 2 });
    expect(sent.filter((s) => s === 'ListObjectVersions')).toHaveLength(2);
  });
});
