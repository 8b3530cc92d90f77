import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { ClientFactory } from '../../aws/client-factory';
import {
  conformancePackStatus,
  ensureConfigurationRecorder,
  ensureConformancePack,
  recorderFailure,
} from '../../aws/config-guardrails';
import { conformancePackTemplate } from '../../domain/conformance-pack';
import { configRecorderRoleName, conformancePackName, roleArn } from '../../domain/naming';
import { CONFORMANCE_PACK_POLL_POLICY, nextPoll, type PollState } from '../../domain/polling';
import { ConformancePacksDeployingError, GuardrailsFailedError } from '../../errors';
import type { ApplicationRequest } from '../../request/schema';
import { digest } from '../../templates/template-store';
import type { GuardrailsResult, VendedAccount } from '../types';

/** The guardrails' result while the state machine waits for the conformance packs to deploy. */
export type GuardrailsProgress = GuardrailsResult & {
  /** DONE once every pack is CREATE_COMPLETE; IN_PROGRESS while one is still deploying. */
  state: 'IN_PROGRESS' | 'DONE';
  /** The wait before the next look (the state machine's Wait state reads `poll.waitSeconds`). */
  poll?: PollState;
};

/**
 * Step 7: in every application account, a Config recorder when the account has none, then the
 * profile's conformance pack. The recorder's role comes from the guardrails stack set. AWS Config
 * deploys the pack afterwards: the answer says whether the state machine must wait for it
 * (`checkGuardrails`).
 */
export async function registerGuardrails(
  clients: ClientFactory,
  params: { request: ApplicationRequest; accounts: VendedAccount[]; deliveryBucket: string },
): Promise<GuardrailsProgress> {
  const { request } = params;
  const name = conformancePackName(request.name);
  const templateBody = conformancePackTemplate(request.profile);
  const templateDigest = digest(templateBody);
  const results = await Promise.all(
    params.accounts.map(async (account) => {
      const client = await clients.memberClient(ConfigServiceClient, account.id);
      const { recorder } = await ensureConfigurationRecorder(client, {
        roleArn: roleArn(account.id, configRecorderRoleName(request.name)),
        deliveryBucket: params.deliveryBucket,
      });
      const { action } = await ensureConformancePack(client, { name, templateBody, digest: templateDigest });
      return [account.id, { recorder, conformancePack: action }] as const;
    }),
  );
  const looked = await checkGuardrails(clients, {
    conformancePack: name,
    accounts: Object.fromEntries(results),
  });
  // The state machine's Wait reads `poll.waitSeconds` whatever the answer: none when every pack
  // is deployed already (a vend again with the same profile).
  return looked.poll ? looked : { ...looked, poll: { attempt: 0, waitedSeconds: 0, waitSeconds: 0 } };
}

/**
 * One look at the conformance packs `registerGuardrails` put (no waiting: the state machine's Wait
 * state waits between looks). A pack that ended CREATE_FAILED, or a recorder that fails to record,
 * fails the step with AWS's reason: a vend must not report guardrails that do not work.
 */
export async function checkGuardrails(
  clients: ClientFactory,
  progress: GuardrailsResult & { poll?: PollState },
): Promise<GuardrailsProgress> {
  const { conformancePack: name } = progress;
  const states = await Promise.all(
    Object.keys(progress.accounts).map(async (accountId) => {
      const client = await clients.memberClient(ConfigServiceClient, accountId);
      const status = await conformancePackStatus(client, name);
      if (status.state === 'CREATE_FAILED') {
        throw new GuardrailsFailedError(
          `Conformance pack ${name} in account ${accountId} ended CREATE_FAILED: ${status.reason ?? 'AWS Config gave no reason'}`,
          { accountId, conformancePack: name, reason: status.reason },
        );
      }
      if (status.state !== 'CREATE_COMPLETE' && status.state !== 'CREATE_IN_PROGRESS') {
        throw new GuardrailsFailedError(
          `Conformance pack ${name} in account ${accountId} is ${status.state ?? 'missing'}, not deployed`,
          { accountId, conformancePack: name, state: status.state },
        );
      }
      const failure = await recorderFailure(client);
      if (failure) {
        throw new GuardrailsFailedError(
          `Config recorder ${failure.name} in account ${accountId} fails to record: ${failure.errorCode ?? 'Failure'}${failure.errorMessage ? ` (${failure.errorMessage})` : ''}`,
          { accountId, recorder: failure.name, errorCode: failure.errorCode },
        );
      }
      return status.state;
    }),
  );
  const { poll: previous, ...result } = progress;
  if (states.every((s) => s === 'CREATE_COMPLETE')) {
    return { conformancePack: result.conformancePack, accounts: result.accounts, state: 'DONE' };
  }
  return {
    conformancePack: result.conformancePack,
    accounts: result.accounts,
    state: 'IN_PROGRESS',
    poll: nextPoll(CONFORMANCE_PACK_POLL_POLICY, previous),
  };
}

/**
 * The CheckConformancePacks task: one look (checkGuardrails) that answers only once every pack is
 * CREATE_COMPLETE; a pack still deploying throws ConformancePacksDeployingError, and the task's
 * Retry looks again later (CONFORMANCE_PACK_LOOKS).
 */
export async function awaitGuardrails(
  clients: ClientFactory,
  progress: GuardrailsResult & { poll?: PollState },
): Promise<GuardrailsProgress> {
  const looked = await checkGuardrails(clients, progress);
  if (looked.state === 'DONE') return looked;
  throw new ConformancePacksDeployingError(
    `Conformance pack ${progress.conformancePack} is still deploying in at least one of ${Object.keys(progress.accounts).length} account(s)`,
    { conformancePack: progress.conformancePack },
  );
}
