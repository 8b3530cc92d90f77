import { membersBy, survivors } from './atomic';
import type * as s3 from '@aws-sdk/client-s3';
import type { NamedBucket } from './cfn-template';
import type { CallContext, HandlerTable, Out } from './context';
import { awsError } from './errors';
import type { EventSource } from './events';
import type { BucketState, ObjectVersionState, SandboxStateJson, StackInstanceState } from './state';
import { bucketsByCreator } from './state-indexes';

/**
 * S3, as far as the buckets that vended stacks create: CloudFormation makes them (named by their
 * `BucketName`), objects are written and removed through the S3 API, and CloudFormation refuses to
 * delete one that still holds any version, as it does on AWS. Only the bucket's own account may use
 * it: bucket policies granting other accounts are not modelled.
 *
 * Server access logging: each request to a bucket that logs (PutObject, ListObjectVersions,
 * DeleteObjects) becomes one log object in the target bucket, delivered late (`s3LogDelivery`), as
 * S3 delivers logs "on a best-effort basis" and not with the request. A record for a target bucket
 * that no longer exists is dropped. Turning logging off stops new records, not those on their way.
 */

const s3Error = (name: string, message: string, status: number) =>
  awsError('s3', name, message, { status, ...(status >= 500 && { fault: 'server' as const }) });

/** S3's own page size and cap for ListObjectVersions and the object count of DeleteObjects. */
const MAX_KEYS = 1000;

/**
 * The bucket a request names. An object request (`operation` given) is logged when the bucket has
 * access logging on; the logging configuration requests are not (a simplification: S3 logs them
 * too, but nothing here depends on their records).
 */
function bucketFor(ctx: CallContext, name: string | undefined, operation?: string): BucketState {
  const bucket = name === undefined ? undefined : ctx.state.buckets?.[name];
  if (!bucket) throw s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
  if (bucket.account !== ctx.caller.accountId) throw s3Error('AccessDenied', 'Access Denied', 403);
  if (bucket.logging && operation !== undefined) {
    const deliveries = (ctx.state.s3LogDeliveries ??= []);
    const stamp = new Date(ctx.now).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    deliveries.push({
      at: ctx.now + ctx.settings.latency.s3LogDelivery,
      targetBucket: bucket.logging.targetBucket,
      key: `${bucket.logging.prefix}${stamp}-${operation}-${String(deliveries.length + bucket.written)}`,
    });
  }
  return bucket;
}

const versionIdOf = (n: number): string => `sbx${n.toString(36).padStart(29, '0')}`;

function write(bucket: BucketState, entry: Omit<ObjectVersionState, 'versionId'>): string {
  bucket.written += 1;
  if (!bucket.versioning) {
    // An unversioned bucket keeps one "null" version per key.
    bucket.versions = survivors(bucket.versions, (v) => v.key !== entry.key);
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
  const bucket = bucketFor(ctx, input.Bucket, 'PutObject');
  const key = input.Key ?? '';
  const versionId = write(bucket, { key, deleteMarker: false, size: bodySize(input.Body), at: ctx.now });
  return {
    ETag: `"${bucket.written.toString(16).padStart(32, '0')}"`,
    ...(bucket.versioning && { VersionId: versionId }),
  };
}

/**
 * Keys in order, and each key's versions newest first, as S3 lists them: copies, read from the
 * versions as they are (a proxy for each of a bucket's thousands of versions, on each page of a
 * listing, made emptying a bucket cost its size squared).
 */
function listed(bucket: BucketState, prefix: string): (ObjectVersionState & { isLatest: boolean })[] {
  const byKey = new Map<string, ObjectVersionState[]>();
  for (const version of survivors(bucket.versions, (v) => v.key.startsWith(prefix))) {
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
  const bucket = bucketFor(ctx, input.Bucket, 'ListObjectVersions');
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
  const bucket = bucketFor(ctx, input.Bucket, 'DeleteObjects');
  const objects = input.Delete?.Objects ?? [];
  if (objects.length < 1 || objects.length > MAX_KEYS) {
    throw s3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  }
  const deleted: NonNullable<s3.DeleteObjectsCommandOutput['Deleted']> = [];
  // The versions as they are, only read: what is removed is removed by replacing the array.
  const versions = survivors(bucket.versions, () => true);
  const byId = new Map(versions.map((v) => [`${v.key}\n${v.versionId}`, v]));
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
      for (const v of versions) if (v.key === key) gone.add(v);
      deleted.push({ Key: key });
    }
  }
  if (gone.size > 0) bucket.versions = survivors(bucket.versions, (v) => !gone.has(v));
  return input.Delete?.Quiet ? {} : { Deleted: deleted };
}

/**
 * Turns server access logging on (LoggingEnabled) or off (an empty BucketLoggingStatus). Records of
 * earlier requests are still delivered.
 */
function putBucketLogging(input: s3.PutBucketLoggingCommandInput, ctx: CallContext): object {
  const bucket = bucketFor(ctx, input.Bucket);
  const enabled = input.BucketLoggingStatus?.LoggingEnabled;
  if (!input.BucketLoggingStatus) {
    throw s3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  }
  if (!enabled) {
    delete bucket.logging;
    return {};
  }
  const target = ctx.state.buckets?.[enabled.TargetBucket ?? ''];
  if (!target || target.account !== bucket.account || target.region !== bucket.region) {
    throw s3Error('InvalidTargetBucketForLogging', 'The target bucket for logging does not exist', 400);
  }
  bucket.logging = { targetBucket: target.name, prefix: enabled.TargetPrefix ?? '' };
  return {};
}

function getBucketLogging(
  input: s3.GetBucketLoggingCommandInput,
  ctx: CallContext,
): Out<s3.GetBucketLoggingCommandOutput> {
  const { logging } = bucketFor(ctx, input.Bucket);
  return logging
    ? { LoggingEnabled: { TargetBucket: logging.targetBucket, TargetPrefix: logging.prefix } }
    : {};
}

/**
 * A bucket's policy, for its own account: the policies of the external buckets the sandbox knows
 * (`Sandbox.putExternalBucket`, e.g. the Config delivery bucket). S3 answers NoSuchBucketPolicy
 * for a bucket without one and NoSuchBucket for an unknown name.
 */
function getBucketPolicy(
  input: s3.GetBucketPolicyCommandInput,
  ctx: CallContext,
): Out<s3.GetBucketPolicyCommandOutput> {
  const external = input.Bucket === undefined ? undefined : ctx.state.externalBuckets?.[input.Bucket];
  if (!external) bucketFor(ctx, input.Bucket);
  else if (external.account !== ctx.caller.accountId) throw s3Error('AccessDenied', 'Access Denied', 403);
  if (!external?.policy) {
    throw s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
  }
  return { Policy: external.policy };
}

export const S3_HANDLERS: HandlerTable = {
  GetBucketPolicy: getBucketPolicy,
  PutObject: putObject,
  ListObjectVersions: listObjectVersions,
  DeleteObjects: deleteObjects,
  PutBucketLogging: putBucketLogging,
  GetBucketLogging: getBucketLogging,
};

/**
 * Delivers the earliest log objects that are due, into their target buckets if those still exist:
 * every one due at that same instant at once. Shifting them off one by one, each shift moving the
 * whole queue through the call's proxies, made a burst of n requests cost n² (a pipeline's 1,100
 * artifacts, seven seconds of a test); the queue is replaced instead, with one write.
 */
export const s3LogDeliveryEvents: EventSource = (state) => {
  const deliveries = state.s3LogDeliveries;
  const next = deliveries?.[0];
  if (!deliveries || !next) return undefined;
  return {
    at: next.at,
    order: 0,
    apply: () => {
      const queue = [...deliveries];
      const due = queue.findIndex((d) => d.at !== next.at);
      const delivered = due < 0 ? queue : queue.slice(0, due);
      state.s3LogDeliveries = due < 0 ? [] : queue.slice(due);
      for (const { targetBucket, key, at } of delivered) {
        const target = state.buckets?.[targetBucket];
        if (target) write(target, { key, deleteMarker: false, size: 256, at });
      }
    },
  };
};

/** The buckets a stack instance created. */
export const bucketsOf = (state: SandboxStateJson, instanceKey: string): BucketState[] =>
  membersBy(state.buckets ?? {}, bucketsByCreator, instanceKey);

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
  for (const { bucketName, logicalId, versioning, logging } of buckets) {
    const existing = state.buckets[bucketName];
    if (existing) {
      // Versioning, once enabled, can only be suspended: the versions stay either way.
      Object.assign(existing, { logicalId, versioning: versioning || existing.versioning });
      if (logging) existing.logging = { ...logging };
      else delete existing.logging;
      continue;
    }
    state.buckets[bucketName] = {
      name: bucketName,
      account: instance.account,
      region: instance.region,
      createdBy: instance.key,
      logicalId,
      versioning,
      ...(logging && { logging: { ...logging } }),
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
