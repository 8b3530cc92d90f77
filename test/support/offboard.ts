import { parseRequest } from '../../shared/request/validate';
import { CreateOrganizationalUnitCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { definitionOf } from '../setup/definitions';
import { runOffboarding, type OffboardProgress, type OffboardRun } from '../../cli/offboard';
import { executionInput } from '../../shared/workflow/resume';
import { runVend, type VendRun } from '../../cli/vend';
import { awsClients } from '../../shared/aws/client-factory';
import type { Ledger } from '../../shared/ledger/ledger';
import type { Clock } from '../../shared/clock/clock';
import { workflowDefinition } from './workflow';
import { OWNER } from './actors';

let definition: Record<string, unknown> | undefined;
/** The offboarding state machine's ASL as CDK defines it (synthesized once per jest run: test/setup/definitions.ts). */
export function offboardDefinition(): Record<string, unknown> {
  definition ??= definitionOf('offboard');
  return definition;
}

/** A vend through the ledger, as every front door makes one: the ledger records its outcome. */
export async function vendThroughLedger(
  world: { ledger: Ledger; clock: Clock },
  request: unknown,
): Promise<VendRun> {
  const { record } = await world.ledger.submit(parseRequest(request), OWNER);
  await world.ledger.markStarted(record.name, record.requestId, `local:${record.executionName}`);
  return runVend({
    input: executionInput(record),
    definition: workflowDefinition(),
    clock: world.clock,
    executionName: record.executionName,
  });
}

/** `appvend offboard` without the CLI: the ledger starts it, the state machine runs it. */
export async function offboard(
  world: { ledger: Ledger; clock: Clock },
  name: string,
  options: { closeAccounts?: boolean; progress?: OffboardProgress } = {},
): Promise<OffboardRun | 'already-offboarded'> {
  const start = await world.ledger.beginOffboarding(name, {
    closeAccounts: options.closeAccounts ?? false,
    restartRunning: true,
    actor: OWNER,
  });
  if (start.outcome === 'offboarded') return 'already-offboarded';
  if (start.outcome === 'running') throw new Error(`${name} is being offboarded`);
  return runOffboarding({
    application: name,
    executionName: start.record.offboarding!.executionName,
    definition: offboardDefinition(),
    clock: world.clock,
    ...(options.progress && { progress: options.progress }),
  });
}

/** Creates the OU offboarded accounts go to, under the root, and points the workflow at it. */
export async function createSuspendedOu(name = 'Suspended'): Promise<string> {
  const organizations = awsClients().organizations() as OrganizationsClient;
  const { ListRootsCommand } = await import('@aws-sdk/client-organizations');
  const { Roots } = await organizations.send(new ListRootsCommand({}));
  const { OrganizationalUnit } = await organizations.send(
    new CreateOrganizationalUnitCommand({ ParentId: Roots![0]!.Id!, Name: name }),
  );
  process.env.APPVEND_SUSPENDED_OU_ID = OrganizationalUnit!.Id!;
  return OrganizationalUnit!.Id!;
}
