import { createHash } from 'node:crypto';
import {
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  GetResourceShareAssociationsCommand,
  GetResourceSharesCommand,
  type RAMClient,
  type ResourceShare,
} from '@aws-sdk/client-ram';
import { ConnectionShareConflictError } from '../errors';
import { APPLICATION_TAG, notTaggedReason } from './application-tag';

/**
 * The AWS RAM resource share that lets an application's tooling account use the pipeline's
 * connection, when the account appvend runs in owns it. One share per application, named
 * `appvend-<application>-connection` and tagged with the application; it shares with no principal
 * outside the organization. RAM shares a global resource (a connection) only from us-east-1: the
 * client given here must be of that Region (`RAM_REGION`).
 */

/** AWS: "To create resource shares that contain global resources, you must set the AWS Region to US East (N. Virginia)". */
export const RAM_REGION = 'us-east-1';

export interface ConnectionShareSpec {
  application: string;
  name: string;
  connectionArn: string;
  /** The tooling account id (or an OU ARN). */
  principal: string;
}

export type ConnectionShareAction = 'create' | 'associate' | 'keep';

/**
 * A clientToken made from the call's parameters: a retry after a lost answer sends the same one, so
 * RAM returns the share it made instead of making a second; a call with other parameters sends
 * another (RAM refuses a token reused with other parameters: IdempotentParameterMismatch).
 */
export function shareClientToken(operation: string, parts: readonly string[]): string {
  const hex = createHash('sha256')
    .update([operation, ...parts].join('\n'))
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The caller's ACTIVE share of that name, if any (at most one: appvend names one per application). */
export async function findResourceShare(ram: RAMClient, name: string): Promise<ResourceShare | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await ram.send(
      new GetResourceSharesCommand({ resourceOwner: 'SELF', name, resourceShareStatus: 'ACTIVE', nextToken }),
    );
    const found = (page.resourceShares ?? []).find((s) => s.name === name && s.status === 'ACTIVE');
    if (found) return found;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

const isTaggedFor = (share: ResourceShare, application: string): boolean =>
  (share.tags ?? []).some((t) => t.key === APPLICATION_TAG && t.value === application);

async function associated(
  ram: RAMClient,
  resourceShareArn: string,
  associationType: 'PRINCIPAL' | 'RESOURCE',
): Promise<Set<string>> {
  const entities = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await ram.send(
      new GetResourceShareAssociationsCommand({
        associationType,
        resourceShareArns: [resourceShareArn],
        nextToken,
      }),
    );
    for (const a of page.resourceShareAssociations ?? []) {
      if (a.associatedEntity && (a.status === 'ASSOCIATED' || a.status === 'ASSOCIATING'))
        entities.add(a.associatedEntity);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return entities;
}

/**
 * What {@link ensureConnectionShare} would do, read only: `create` (no share), `associate` (the
 * share lacks the principal or the connection), `keep`. A share of that name without the
 * application's tag is someone else's: a conflict.
 */
export async function planConnectionShare(
  ram: RAMClient,
  spec: ConnectionShareSpec,
): Promise<{
  action: ConnectionShareAction;
  share?: ResourceShare;
  missing: { principals: string[]; resources: string[] };
}> {
  const share = await findResourceShare(ram, spec.name);
  if (!share?.resourceShareArn)
    return { action: 'create', missing: { principals: [spec.principal], resources: [spec.connectionArn] } };
  if (!isTaggedFor(share, spec.application)) {
    throw new ConnectionShareConflictError(
      `AWS RAM resource share ${spec.name} exists but is ${notTaggedReason(spec.application)}; ` +
        'rename or delete it, or share the connection by hand',
      { resourceShareArn: share.resourceShareArn },
    );
  }
  const [principals, resources] = await Promise.all([
    associated(ram, share.resourceShareArn, 'PRINCIPAL'),
    associated(ram, share.resourceShareArn, 'RESOURCE'),
  ]);
  const missing = {
    principals: principals.has(spec.principal) ? [] : [spec.principal],
    resources: resources.has(spec.connectionArn) ? [] : [spec.connectionArn],
  };
  const action = missing.principals.length + missing.resources.length > 0 ? 'associate' : 'keep';
  return { action, share, missing };
}

/**
 * Shares the connection with the principal, check-then-act: finds the share by name, creates it
 * when missing (with a deterministic clientToken, so a retry after a lost answer makes no second
 * share), or associates what it lacks.
 */
export async function ensureConnectionShare(
  ram: RAMClient,
  spec: ConnectionShareSpec,
): Promise<{ action: ConnectionShareAction; resourceShareArn: string }> {
  const planned = await planConnectionShare(ram, spec);
  if (planned.action === 'create') {
    const { resourceShare } = await ram.send(
      new CreateResourceShareCommand({
        name: spec.name,
        resourceArns: [spec.connectionArn],
        principals: [spec.principal],
        tags: [{ key: APPLICATION_TAG, value: spec.application }],
        allowExternalPrincipals: false,
        clientToken: shareClientToken('CreateResourceShare', [spec.name, spec.connectionArn, spec.principal]),
      }),
    );
    if (!resourceShare?.resourceShareArn)
      throw new Error(`CreateResourceShare ${spec.name} returned no share`);
    return { action: 'create', resourceShareArn: resourceShare.resourceShareArn };
  }
  const resourceShareArn = planned.share!.resourceShareArn!;
  if (planned.action === 'associate') {
    await ram.send(
      new AssociateResourceShareCommand({
        resourceShareArn,
        ...(planned.missing.principals.length > 0 && { principals: planned.missing.principals }),
        ...(planned.missing.resources.length > 0 && { resourceArns: planned.missing.resources }),
        clientToken: shareClientToken('AssociateResourceShare', [
          resourceShareArn,
          ...planned.missing.principals,
          ...planned.missing.resources,
        ]),
      }),
    );
  }
  return { action: planned.action, resourceShareArn };
}

/**
 * Offboarding: deletes the application's share, only when it carries the application's tag.
 * Nothing to delete (no share, or one already deleted) is success.
 */
export async function deleteConnectionShare(
  ram: RAMClient,
  params: { application: string; name: string },
): Promise<{ deleted?: string; skipped?: { resourceShareArn: string; reason: string } }> {
  const share = await findResourceShare(ram, params.name);
  if (!share?.resourceShareArn) return {};
  if (!isTaggedFor(share, params.application)) {
    return {
      skipped: { resourceShareArn: share.resourceShareArn, reason: notTaggedReason(params.application) },
    };
  }
  try {
    await ram.send(
      new DeleteResourceShareCommand({
        resourceShareArn: share.resourceShareArn,
        clientToken: shareClientToken('DeleteResourceShare', [share.resourceShareArn]),
      }),
    );
  } catch (error) {
    // Deleted between the look and the delete (a retry after a lost answer): already done.
    if ((error as { name?: string }).name !== 'UnknownResourceException') throw error;
  }
  return { deleted: share.resourceShareArn };
}
