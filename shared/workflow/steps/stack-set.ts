import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { RAMClient } from '@aws-sdk/client-ram';
import type { ClientFactory } from '../../aws/client-factory';
import { checkStackSetOperation, reconcileStackSet } from '../../aws/stack-sets';
import { stackSetsCallAs, type StackSetsMode } from '../../aws/stack-set-permissions';
import { assertConnectionUsable } from '../../domain/connection';
import { RESERVED_STAGE } from '../../domain/naming';
import { roleArn, type TemplateKey } from '../../domain/naming';
import { STACK_SET_POLL_POLICY, nextPoll } from '../../domain/polling';
import { StackSetOperationRunningError } from '../../errors';
import { planStackSet } from '../../domain/stack-set-plan';
import type { ApplicationRequest } from '../../request/schema';
import { loadTemplate } from '../../templates/template-store';
import type { StackSetDeployment, VendedAccount } from '../types';
import { APPLICATION_TAG } from '../../aws/application-tag';
import { RAM_REGION, ensureConnectionShare } from '../../aws/connection-share';
import { connectionShareName } from '../../domain/naming';

export interface StackSetSettings {
  managementAccountId: string;
  adminRoleName: string;
  executionRoleName: string;
  notificationTopicArn: string;
  region: string;
  templatesDir?: string;
  /** SELF_MANAGED when unset (`APPVEND_STACKSETS_MODE`). */
  stackSetsMode?: StackSetsMode;
}

/** Step 6a: move one stack set a step towards its desired state. */
export async function deployStackSet(
  clients: ClientFactory,
  params: {
    template: TemplateKey;
    request: ApplicationRequest;
    accounts: VendedAccount[];
    settings: StackSetSettings;
    /** The application's OU: service-managed instances are targeted by it. */
    ouId?: string;
  },
): Promise<StackSetDeployment> {
  const { template, request, settings } = params;
  const targets = planStackSet(template, request, params.accounts, settings);
  if (template === 'pipeline') {
    // Before the pipeline exists: a connection it could never use stops the vend here, not at its
    // first run; one of the account appvend runs in is shared with the tooling account first.
    const tooling = params.accounts.find((a) => a.stage === RESERVED_STAGE);
    if (tooling) {
      const access = assertConnectionUsable(
        request.source.connectionArn,
        tooling.id,
        settings.managementAccountId,
      );
      if (access.kind === 'share') {
        await ensureConnectionShare(clients.managementClient(RAMClient, { region: RAM_REGION }), {
          application: request.name,
          name: connectionShareName(request.name),
          connectionArn: request.source.connectionArn,
          principal: tooling.id,
        });
      }
    }
  }
  const callAs = await stackSetsCallAs(clients, {
    mode: settings.stackSetsMode ?? 'SELF_MANAGED',
    managementAccountId: settings.managementAccountId,
  });
  if (callAs && !params.ouId) throw new Error('Service-managed stack sets need the application OU (ouId)');
  const progress = await reconcileStackSet(clients.managementClient(CloudFormationClient), {
    name: targets.name,
    description: `appvend ${template} for ${request.name}`,
    templateBody: loadTemplate(template, settings.templatesDir),
    parameters: targets.parameters,
    accounts: targets.accounts,
    region: settings.region,
    tags: { ...request.tags, [APPLICATION_TAG]: request.name },
    administrationRoleArn: roleArn(settings.managementAccountId, settings.adminRoleName),
    executionRoleName: settings.executionRoleName,
    ...(callAs && { serviceManaged: { callAs, organizationalUnitId: params.ouId! } }),
  });
  const deployment: StackSetDeployment = {
    template,
    name: targets.name,
    accounts: targets.accounts,
    state: progress.state,
    ...(callAs && { callAs }),
  };
  if (progress.state === 'RUNNING') {
    deployment.operationId = progress.operationId;
    deployment.action = progress.action;
    deployment.poll = nextPoll(STACK_SET_POLL_POLICY);
  }
  return deployment;
}

/**
 * Step 6b: one look at the running operation. SUCCEEDED (or, for the offboarding's removals,
 * BUCKET_REFILLED) sends the state machine back to 6a; an operation still running throws
 * StackSetOperationRunningError, and the task's Retry looks again later (STACK_SET_OPERATION_LOOKS).
 */
export async function checkStackSet(
  clients: ClientFactory,
  deployment: StackSetDeployment & { retryRefilledBuckets?: boolean },
): Promise<StackSetDeployment & { operationStatus: 'SUCCEEDED' | 'BUCKET_REFILLED' }> {
  if (!deployment.operationId) throw new Error(`No operation to check for stack set ${deployment.name}`);
  const operationStatus = await checkStackSetOperation(clients.managementClient(CloudFormationClient), {
    name: deployment.name,
    operationId: deployment.operationId,
    // Only the offboarding's removals ask for it (StackSetRemoval.retryRefilledBuckets).
    ...(deployment.retryRefilledBuckets === true && { retryRefilledBuckets: true }),
    ...(deployment.callAs && { callAs: deployment.callAs }),
  });
  if (operationStatus === 'RUNNING') {
    throw new StackSetOperationRunningError(
      `Stack set ${deployment.name}: operation ${deployment.operationId} (${deployment.action ?? 'operation'}) is still running`,
      { stackSet: deployment.name, operationId: deployment.operationId },
    );
  }
  return { ...deployment, operationStatus };
}
