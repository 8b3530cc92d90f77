import type * as s3 from '@aws-sdk/client-s3';
import type { NamedBucket } from './cfn-template';
import type { CallContext, HandlerTable, Out } from './context';
import { awsError } from './errors';
import type { BucketState, ObjectVersionState, SandboxStateJson, StackInstanceState } from './state';

/**
 * S3, as far as the buckets that vended stacks create: CloudFormation makes them (named by their
 * `BucketName`), objects are written and removed through the S3 API, and CloudFormation refuses to
 * delete one that still holds any version, as it does on AWS. Only the bucket's own account may use
 * it: bucket policies granting other accounts are not modelled.
 */

const s3Error = (name: string, message: string, status: number) =>
  awsError('s3', name, message, { status, ...(status >= 500 && { fault: 'server' as const }) });

/** S3's own page size and cap for ListObjectVersions and the object count of DeleteObjects. */
const MAX_KEYS = 1000;

function bucketFor(ctx: CallContext, name: string | undefined): BucketState {
  const bucket = name === undefined ? undefined : ctx.state.buckets?.[name];
  if (!bucket) throw s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
  if (bucket.account !== ctx.caller.accountId) throw s3Error('AccessDenied', 'Access Denied', 403);
  return bucket;
}

const versionIdOf = (n: number): string => `sbx${n.toString(36).padStart(29, '0')}`;

function write(bucket: BucketState, entry: Omit<ObjectVersionState, 'versionId'>): string {
  bucket.written += 1;
  if (!bucket.versioning) {
    // An unversioned bucket keeps one "null" version per key.
    bucket.versions = bucket.versions.filter((v) => v.key !== entry.key);
    bucket.versions.push({ ...entry, versionId: 'null' });
    return 'null';
  }
  const versionId = versionIdOf(bucket.written);
  bucket.versions.push({ ...entry, versionId });
  return versionId;
}

function bodySize(body: unknown): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return 0;
}

function putObject(input: s3.PutObjectCommandInput, ctx: CallContext): Out<s3.PutObjectCommandOutput> {
  const bucket = bucketFor(ctx, input.Bucket);
  const key = input.Key ?? '';
  const versionId = write(bucket, { key, deleteMarker: false, size: bodySize(input.Body), at: ctx.now });
  return {
    ETag: `"${bucket.written.toString(16).padStart(32, '0')}"`,
    ...(bucket.versioning && { VersionId: versionId }),
  };
}

/** Keys in order, and each key's versions newest first, as S3 lists them. */
function listed(bucket: BucketState, prefix: string): (ObjectVersionState & { isLatest: boolean })[] {
  const byKey = new Map<string, ObjectVersionState[]>();
  for (const version of bucket.versions) {
    if (!version.key.startsWith(prefix)) continue;
    byKey.set(version.key, [version, ...(byKey.get(version.key) ?? [])]);
  }
  return [...byKey.keys()]
    .sort()
    .flatMap((key) => byKey.get(key)!.map((v, i) => ({ ...v, isLatest: i === 0 })));
}

function listObjectVersions(
  input: s3.ListObjectVersionsCommandInput,
  ctx: CallContext,
): Out<s3.ListObjectVersionsCommandOutput> {
  const bucket = bucketFor(ctx, input.Bucket);
  const maxKeys = Math.min(MAX_KEYS, ctx.settings.s3ListPageSize, Math.max(0, input.MaxKeys ?? MAX_KEYS));
  const all = listed(bucket, input.Prefix ?? '');
  let start = 0;
  if (input.KeyMarker !== undefined && input.KeyMarker !== '') {
    const marker = input.KeyMarker;
    const versionMarker = input.VersionIdMarker;
    const at =
      versionMarker === undefined || versionMarker === ''
        ? -1
        : all.findIndex((v) => v.key === marker && v.versionId === versionMarker);
    start = at >= 0 ? at + 1 : all.findIndex((v) => v.key > marker);
    if (start < 0) start = all.length;
  }
  const page = all.slice(start, start + maxKeys);
  const truncated = start + maxKeys < all.length;
  const last = page[page.length - 1];
  const shown = (v: ObjectVersionState & { isLatest: boolean }) => ({
    Key: v.key,
    VersionId: v.versionId,
    IsLatest: v.isLatest,
    LastModified: new Date(v.at),
  });
  return {
    Name: bucket.name,
    Prefix: input.Prefix ?? '',
    MaxKeys: maxKeys,
    IsTruncated: truncated,
    ...(truncated && last && { NextKeyMarker: last.key, NextVersionIdMarker: last.versionId }),
    Versions: page.filter((v) => !v.deleteMarker).map((v) => ({ ...shown(v), Size: v.size })),
    DeleteMarkers: page.filter((v) => v.deleteMarker).map(shown),
  };
}

function deleteObjects(
  input: s3.DeleteObjectsCommandInput,
  ctx: CallContext,
): Out<s3.DeleteObjectsCommandOutput> {
  const bucket = bucketFor(ctx, input.Bucket);
  const objects = input.Delete?.Objects ?? [];
  if (objects.length < 1 || objects.length > MAX_KEYS) {
    throw s3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  }
  const deleted: NonNullable<s3.DeleteObjectsCommandOutput['Deleted']> = [];
  const byId = new Map(bucket.versions.map((v) => [`${v.key}\n${v.versionId}`, v]));
  const gone = new Set<ObjectVersionState>();
  for (const { Key: key = '', VersionId: versionId } of objects) {
    if (versionId !== undefined) {
      // Removing a version for good; one that is not there is no error (the delete is idempotent).
      const found = byId.get(`${key}\n${versionId}`);
      if (found) gone.add(found);
      deleted.push({
        Key: key,
        VersionId: versionId,
        ...(found?.deleteMarker && { DeleteMarker: true, DeleteMarkerVersionId: versionId }),
      });
    } else if (bucket.versioning) {
      const marker = write(bucket, { key, deleteMarker: true, size: 0, at: ctx.now });
      deleted.push({ Key: key, DeleteMarker: true, DeleteMarkerVersionId: marker });
    } else {
      for (const v of bucket.versions) if (v.key === key) gone.add(v);
      deleted.push({ Key: key });
    }
  }
  if (gone.size > 0) bucket.versions = bucket.versions.filter((v) => !gone.has(v));
  return input.Delete?.Quiet ? {} : { Deleted: deleted };
}

export const S3_HANDLERS: HandlerTable = {
  PutObject: putObject,
  ListObjectVersions: listObjectVersions,
  DeleteObjects: deleteObjects,
};

/** The buckets a stack instance created. */
export const bucketsOf = (state: SandboxStateJson, instanceKey: string): BucketState[] =>
  Object.values(state.buckets ?? {}).filter((b) => b.createdBy === instanceKey);

/** Why CloudFormation cannot create one of these buckets: its name is taken (names are global). */
export function bucketNameTaken(
  state: SandboxStateJson,
  instance: StackInstanceState,
  buckets: NamedBucket[],
): string | undefined {
  const taken = buckets.find((b) => {
    const existing = state.buckets?.[b.bucketName];
    return existing !== undefined && existing.createdBy !== instance.key;
  });
  return taken && `${taken.bucketName} already exists`;
}

/** Why CloudFormation cannot delete a stack instance's stack: one of its buckets holds versions. */
export function bucketNotEmpty(state: SandboxStateJson, instanceKey: string): string | undefined {
  const full = bucketsOf(state, instanceKey).find((b) => b.versions.length > 0);
  return (
    full &&
    `ResourceLogicalId:${full.logicalId}, ResourceType:AWS::S3::Bucket, ResourceStatusReason:The bucket you tried to delete is not empty. You must delete all versions in the bucket.`
  );
}

/**
 * After a create or update: the stack's buckets as its template names them. A bucket the template
 * no longer has is deleted when empty and left behind otherwise (CloudFormation's cleanup fails on
 * it and the update still completes).
 */
export function syncStackBuckets(
  state: SandboxStateJson,
  instance: StackInstanceState,
  buckets: NamedBucket[],
): void {
  state.buckets ??= {};
  for (const bucket of bucketsOf(state, instance.key)) {
    if (buckets.some((b) => b.bucketName === bucket.name)) continue;
    if (bucket.versions.length === 0) delete state.buckets[bucket.name];
    else delete bucket.createdBy;
  }
  for (const { bucketName, logicalId, versioning } of buckets) {
    const existing = state.buckets[bucketName];
    if (existing) {
      // Versioning, once enabled, can only be suspended: the versions stay either way.
      Object.assign(existing, { logicalId, versioning: versioning || existing.versioning });
      continue;
    }
    state.buckets[bucketName] = {
      name: bucketName,
      account: instance.account,
      region: instance.region,
      createdBy: instance.key,
      logicalId,
      versioning,
      versions: [],
      written: 0,
    };
  }
}

/** Deleting a stack deletes its (empty) buckets; retaining it leaves them, no longer owned. */
export function removeStackBuckets(state: SandboxStateJson, instanceKey: string, retain: boolean): void {
  for (const bucket of bucketsOf(state, instanceKey)) {
    if (retain) delete bucket.createdBy;
    else delete state.buckets![bucket.name];
  }
}
