import { accountManagementClient } from '../../shared/aws/alternate-contacts';
import { identityCenterClients } from '../../shared/aws/identity-center';
import { stepHandler } from '../../shared/lambda/step-handler';
import type { MadeAccess } from '../../shared/domain/access';
import type { ApplicationRequest } from '../../shared/request/schema';
import { ledgerFor } from '../../shared/ledger';
import { IdentityCenterEnv, LedgerEnv } from '../../shared/workflow/settings';
import { grantAccess, type AccessGrant } from '../../shared/workflow/steps/access';
import type { VendedAccount } from '../../shared/workflow/types';

export const environment = { ...IdentityCenterEnv, ...LedgerEnv };

/**
 * Gives the request's Identity Center groups their permission sets in the application's accounts
 * and puts the alternate contacts (each recorded in the ledger before it is made), removing what it made that the request no longer asks for; called again (after a Wait state) while assignments are created.
 */
export const handler = stepHandler(
  'grant-access',
  environment,
  (
    input: {
      request: ApplicationRequest;
      accounts: VendedAccount[];
      /** What appvend made for the application before this vend (the ledger's record, through the execution input). */
      made?: MadeAccess;
      previous?: AccessGrant;
    },
    env,
  ) =>
    grantAccess(
      { ...identityCenterClients(), account: accountManagementClient() },
      {
        ...input,
        // What it is about to make goes into the application's ledger item first.
        recordMaking: (making) =>
          ledgerFor(env.APPVEND_LEDGER_TABLE).recordAccessMaking(input.request.name, making),
        ...(env.APPVEND_IDENTITY_CENTER_INSTANCE_ARN && {
          instanceArn: env.APPVEND_IDENTITY_CENTER_INSTANCE_ARN,
        }),
      },
    ),
);
