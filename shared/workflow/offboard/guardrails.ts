import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { ClientFactory } from '../../aws/client-factory';
import { removeConfigurationRecorder, removeConformancePack } from '../../aws/config-guardrails';
import { accountClosed } from '../../aws/organizations/offboarding';
import { configRecorderRoleName, conformancePackName, roleArn } from '../../domain/naming';
import type { AccountGuardrailsRemoval, OffboardTarget } from './types';

/**
 * Removes, in each account, the guardrails the vend registered outside stack sets: the
 * application's conformance pack and, when the vend created it, the Config recorder with its
 * delivery channel (shared/aws/config-guardrails.ts decides what is appvend's). Before the stack
 * sets go: the recorder records through a role the guardrails stack set made. The accounts are
 * worked on at once, each through its access role; a closed account is left as it is.
 */
export async function removeGuardrails(
  clients: ClientFactory,
  target: Pick<OffboardTarget, 'application' | 'accounts'>,
): Promise<AccountGuardrailsRemoval[]> {
  return Promise.all(
    target.accounts.map(async ({ stage, id }): Promise<AccountGuardrailsRemoval> => {
      if (await accountClosed(clients.organizations(), id)) {
        return { stage, id, skipped: 'the account is closed' };
      }
      const config = await clients.memberClient(ConfigServiceClient, id);
      const conformancePack = await removeConformancePack(config, conformancePackName(target.application));
      const recorder = await removeConfigurationRecorder(
        config,
        roleArn(id, configRecorderRoleName(target.application)),
      );
      return { stage, id, conformancePack, recorder };
    }),
  );
}
