import { useStsCallerIdentity } from '../shared/aws/caller-identity';
import { awsClients, configureAws } from '../shared/aws/client-factory';
import type { Ledger } from '../shared/ledger/ledger';
import { earlierVendOf } from '../shared/ledger/record';
import { formatProblem, validateRequest } from '../shared/request/validate';
import { PlanEnv, planSettingsFrom, planVend, type EarlierVend } from '../shared/workflow/plan';
import { renderPlan } from '../shared/workflow/plan/render';
import { readEnvironment } from '../shared/workflow/settings';
import { UsageError, readRequest } from './args';
import { parseCommand } from './commands';
import { chosenRegion, emulatorCredentials, openChosenBackend, type BackendKind } from './backends';

/**
 * Points the AWS clients at the backend and sets the defaults a vend on it would use. The sandbox
 * is loaded from its state file and never saved; on an endpoint the service's own resources
 * (ledger table, bus, topic), which `openBackend` creates when missing, are left alone: a plan
 * makes no mutating call anywhere.
 */
async function openForPlanning(
  kind: BackendKind,
  options: { endpoint?: string; state: string; region?: string },
) {
  if (kind !== 'endpoint') {
    const backend = await openChosenBackend(kind, options, {}, 'plan');
    return { account: backend.managementAccountId, ledger: backend.ledger };
  }
  if (!options.endpoint) throw new UsageError('--endpoint needs a URL');
  const region = chosenRegion(options.region);
  process.env.AWS_REGION = region;
  configureAws({ region, endpoint: options.endpoint, credentials: emulatorCredentials() });
  useStsCallerIdentity();
  const { account: Account } = await awsClients().identity();
  // The same default as `openBackend`: the guardrails stack set's parameter must compare equal.
  process.env.APPVEND_NOTIFICATION_TOPIC_ARN ??= `arn:aws:sns:${region}:${Account}:appvend-security-notifications`;
  return { account: Account };
}

/**
 * What the ledger the backend holds says of the application's earlier vends: the access appvend
 * made (the plan shows what the request drops of it as `remove`) and the ids they recorded (where
 * the plan looks first). Nothing after an offboarding (which removed it), nor on an endpoint, whose
 * ledger the plan does not read.
 */
async function earlierVend(ledger: Ledger | undefined, name: string): Promise<EarlierVend> {
  const record = await ledger?.get(name);
  return record && record.status !== 'OFFBOARDED' ? earlierVendOf(record) : {};
}

/**
 * `appvend plan <request.json>`: what a vend of the request would do, step by step, compared with
 * the organization as it is, without changing anything; on the sandbox, what appvend made of the
 * application's access for an earlier request and this one drops is shown to remove. Exit 0 when nothing would stop the vend;
 * 1 for an invalid request (the lines of `appvend validate`) or when something would stop it; 2
 * for a usage error.
 */
export async function planCommand(args: string[]): Promise<number> {
  const { values, positionals, kind: chosen } = parseCommand('plan', args);
  const kind = chosen!;
  const path = positionals[0];
  const input = readRequest(path);
  // Validate before touching any backend, with the output of `appvend validate`.
  const validation = validateRequest(input);
  if (!validation.valid) {
    for (const problem of validation.problems) process.stderr.write(`${path}: ${formatProblem(problem)}\n`);
    return 1;
  }

  const { account, ledger } = await openForPlanning(kind, {
    endpoint: values.endpoint,
    state: values.state!,
    region: values.region,
  });
  process.stderr.write(
    `appvend: planning ${validation.request.name} on ${kind === 'endpoint' ? values.endpoint : kind}` +
      ` (management account ${account}); nothing is changed\n`,
  );
  const settings = planSettingsFrom(readEnvironment(PlanEnv), { memberReads: true });
  const earlier = await earlierVend(ledger, validation.request.name);
  const result = await planVend(awsClients(), input, settings, earlier);
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderPlan(result));
  return result.blockers.length > 0 ? 1 : 0;
}
