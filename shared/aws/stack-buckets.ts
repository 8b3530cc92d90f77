import { paginateListStackResources, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  PutBucketLoggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { TRANSIENT_ERRORS } from '../domain/retry';
import { BucketEmptyingError } from '../errors';
import { collect, isAwsError } from './paginate';

/**
 * CloudFormation does not delete a bucket that holds anything ("The bucket you tried to delete is
 * not empty"), and a versioned bucket holds every version and delete marker ever written. Before a
 * stack instance is deleted, the buckets its stack created are emptied here, through the member
 * account's access role. Which buckets is CloudFormation's own record: the physical ids of the
 * stack's `AWS::S3::Bucket` resources, so nothing is emptied that the stack did not create.
 */

/** S3's most per ListObjectVersions page and per DeleteObjects call. */
const PAGE = 1000;

/** The buckets a stack created and still has; none when the stack is gone. */
export async function stackBuckets(client: CloudFormationClient, stackId: string): Promise<string[]> {
  try {
    const resources = await collect(
      paginateListStackResources({ client }, { StackName: stackId }),
      (page) => page.StackResourceSummaries,
    );
    return resources
      .filter((r) => r.ResourceType === 'AWS::S3::Bucket' && r.ResourceStatus !== 'DELETE_COMPLETE')
      .flatMap((r) => (r.PhysicalResourceId ? [r.PhysicalResourceId] : []));
  } catch (error) {
    // "Stack with id … does not exist": nothing of it is left to empty.
    if (isAwsError(error, 'ValidationError')) return [];
    throw error;
  }
}

/**
 * Turns a bucket's server access logging off, so that emptying it (every request is logged) does
 * not refill its log bucket. Logs of earlier requests still arrive, late: S3 delivers them "on a
 * best-effort basis", so a stack deletion can still meet a refilled log bucket, and the removal
 * empties it again (see {@link isBucketRefill}). A bucket already gone has nothing to turn off.
 */
export async function stopAccessLogging(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new PutBucketLoggingCommand({ Bucket: bucket, BucketLoggingStatus: {} }));
  } catch (error) {
    if (!isAwsError(error, 'NoSuchBucket')) throw error;
  }
}

/** CloudFormation's reason for a bucket it could not delete because something is in it. */
export const isBucketRefill = (reason: string | undefined): boolean =>
  reason !== undefined && /bucket you tried to delete is not empty|BucketNotEmpty/i.test(reason);

/** How far one call got: `empty` once the bucket holds nothing (or no longer exists). */
export interface BucketEmptying {
  empty: boolean;
  /** Object versions and delete markers removed by this call. */
  removed: number;
  /** Pages listed by this call. */
  pages: number;
}

const TRANSIENT = new Set<string>(TRANSIENT_ERRORS);

/**
 * Removes at most `pages` pages (1,000 each) of a bucket's object versions and delete markers. It
 * always lists from the start: what it listed is gone by the next page, so the listing shrinks
 * until it is empty, and a retried call simply carries on.
 */
export async function emptyBucket(client: S3Client, bucket: string, pages: number): Promise<BucketEmptying> {
  let removed = 0;
  for (let page = 0; page < pages; page += 1) {
    let listing;
    try {
      listing = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: PAGE }));
    } catch (error) {
      if (isAwsError(error, 'NoSuchBucket')) return { empty: true, removed, pages: page + 1 };
      throw error;
    }
    const objects = [...(listing.Versions ?? []), ...(listing.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key,
      VersionId: v.VersionId,
    }));
    if (objects.length === 0) return { empty: true, removed, pages: page + 1 };
    const answer = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
    );
    const errors = answer.Errors ?? [];
    const lasting = errors.find((e) => !TRANSIENT.has(e.Code ?? ''));
    if (lasting) {
      throw new BucketEmptyingError(
        `cannot empty bucket ${bucket} before its stack is deleted: deleting ${lasting.Key ?? '?'} ` +
          `(version ${lasting.VersionId ?? 'null'}) was refused with ${lasting.Code ?? 'an error'}: ${lasting.Message ?? ''}`,
        { bucket, key: lasting.Key, code: lasting.Code },
      );
    }
    // Versions S3 could not delete this time are listed again on the next page.
    removed += objects.length - errors.length;
  }
  return { empty: false, removed, pages };
}
