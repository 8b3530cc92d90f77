import {
  AccountClient,
  DeleteAlternateContactCommand,
  GetAlternateContactCommand,
  PutAlternateContactCommand,
} from '@aws-sdk/client-account';
import type { DesiredContact } from '../domain/access';
import { managementClient } from './client-factory';
import { isAwsError } from './paginate';

export const accountManagementClient = (): AccountClient => managementClient(AccountClient);

/**
 * Puts an alternate contact on a member account from the management account (`AccountId`, which
 * needs trusted access for AWS Account Management). PutAlternateContact replaces the contact of
 * that type: calling it again with the same values changes nothing, so a retry is safe.
 */
export async function putContact(
  client: AccountClient,
  accountId: string,
  contact: DesiredContact,
): Promise<void> {
  await client.send(
    new PutAlternateContactCommand({
      AccountId: accountId,
      AlternateContactType: contact.type,
      Name: contact.name,
      Title: contact.title,
      EmailAddress: contact.email,
      PhoneNumber: contact.phone,
    }),
  );
}

/** The contact of a type on an account, or undefined when none is set (ResourceNotFoundException). */
export async function getContact(
  client: AccountClient,
  accountId: string,
  type: DesiredContact['type'],
): Promise<Omit<DesiredContact, 'type'> | undefined> {
  try {
    const { AlternateContact: c } = await client.send(
      new GetAlternateContactCommand({ AccountId: accountId, AlternateContactType: type }),
    );
    return {
      name: c?.Name ?? '',
      title: c?.Title ?? '',
      email: c?.EmailAddress ?? '',
      phone: c?.PhoneNumber ?? '',
    };
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/** Deletes a contact; one already gone is done (ResourceNotFoundException). */
export async function deleteContact(
  client: AccountClient,
  accountId: string,
  type: DesiredContact['type'],
): Promise<void> {
  try {
    await client.send(
      new DeleteAlternateContactCommand({ AccountId: accountId, AlternateContactType: type }),
    );
  } catch (error) {
    if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
  }
}
