import type { ClientFactory } from '../../aws/client-factory';
import {
  ensureOrganizationalUnit,
  findRootId,
  type OrganizationalUnitRef,
} from '../../aws/organizations/organizational-unit';
import { ouName } from '../../domain/naming';
import type { ApplicationRequest } from '../../request/schema';
import { APPLICATION_TAG } from '../../aws/application-tag';

/** Step 2: the application's OU under the configured parent (the root by default). */
export async function ensureApplicationOu(
  clients: ClientFactory,
  params: { request: ApplicationRequest; parentId?: string; recordedId?: string },
): Promise<OrganizationalUnitRef> {
  const client = clients.organizations();
  const parentId = params.parentId ?? (await findRootId(client));
  return ensureOrganizationalUnit(client, {
    parentId,
    name: ouName(params.request.name),
    tags: { ...params.request.tags, [APPLICATION_TAG]: params.request.name },
    ...(params.recordedId !== undefined && { recordedId: params.recordedId }),
  });
}
