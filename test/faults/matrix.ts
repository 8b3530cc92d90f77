import { LocalExecutionStarter } from '../../cli/local-starter';
import type { VendRun } from '../../cli/vend';
import {
  TEMPLATE_KEYS,
  accountSpecs,
  conformancePackName,
  ouName,
  scpName,
  stackSetName,
  type TemplateKey,
} from '../../shared/domain/naming';
import { QUARANTINE_POLICY_NAME } from '../../shared/domain/quarantine';
import { desiredContacts, desiredGrants, grantKey } from '../../shared/domain/access';
import { accessMadeOf, type ApplicationRecord } from '../../shared/ledger/record';
import { parseRequest } from '../../shared/request/validate';
import type { FaultKind, FaultSpec, Sandbox } from '../../shared/sandbox';
import { FAULT_KINDS } from '../../shared/sandbox/faults';
import { submitApplication } from '../../shared/workflow/intake';
import { sandboxWorld, workflowDefinition, type SandboxWorld } from '../support/workflow';
import { OWNER } from '../support/actors';

/**
 * The fault-injection matrix: every AWS call the vend workflow makes × every kind of failure the
 * sandbox can inject × two intensities. Each cell vends on a fresh sandbox organization with one
 * fault armed, recovers when the vend failed, and then checks the organization itself (not what
 * the workflow says it did): one OU, one SCP attached once, one account per stage, one stack
 * instance per template and account.
 */

/** Every kind of fault the sandbox injects (shared/sandbox/faults.ts says what each does). */
export { FAULT_KINDS };

/**
 * - `transient`: three failures in a row. The worlds' SDK clients make three attempts per call, so
 *   the task itself sees the error: the state machine's Retry, or the adapter, must cope.
 * - `outage`: more failures than the SDK's attempts times the state machine's (3 × 6 = 18 per call
 *   site); the vend may fail. The outage then ends and the vend must be recovered.
 */
export type Intensity = 'transient' | 'outage';
export const INTENSITIES: readonly Intensity[] = ['transient', 'outage'];
/** How many matching calls the fault hits at each intensity. */
export const INTENSITY_TIMES: Readonly<Record<Intensity, number>> = { transient: 3, outage: 50 };

/** One AWS operation the workflow calls, as discovered from a clean vend. */
export interface WorkflowOperation {
  /** The sandbox's service key: 'organizations', 'sts', 'cloudformation', 'config', 'events', 'sns'. */
  service: string;
  operation: string;
  /** Whether the operation changes something (the sandbox's own classification). */
  mutating: boolean;
  /** The account of the first call (the management account, or a member for Config). */
  firstAccount: string;
  /** How many calls the clean vend made. */
  calls: number;
}

/** `Service:Operation`, as `--only` takes it and the table prints it. */
export const operationLabel = (op: { service: string; operation: string }): string =>
  `${op.service}:${op.operation}`;

/** How one vend ended: the summary's status, or ERROR when the execution itself failed. */
export interface RunOutcome {
  status: 'SUCCEEDED' | 'FAILED' | 'ERROR';
  /** The failed step and why, when it did not succeed. */
  step?: string;
  message?: string;
}

export type CellOutcome = 'passed' | 'failed' | 'unfired';

export interface CellResult {
  service: string;
  operation: string;
  mutating: boolean;
  kind: FaultKind;
  intensity: Intensity;
  /**
   * `passed`: the fault fired and the organization ended as it should; `failed`: it did not (see
   * `reasons`); `unfired`: the fault never hit a call, so the cell tested nothing.
   */
  outcome: CellOutcome;
  /** The faulted vend did not succeed and `recover` had to run. */
  recovered: boolean;
  /** Calls the fault hit, of `times`. */
  fired: number;
  times: number;
  firstRun: RunOutcome;
  /** The recovery's outcome, when it ran. */
  recoveryRun?: RunOutcome;
  /** Every invariant the final organization (or the final vend) breaks. */
  reasons: string[];
  wallMs: number;
}

/**
 * Brings a world whose vend failed back to a vended application, once the faults are cleared
 * (the outage is over). The matrix checks the organization after it returns.
 */
export type RecoverHook = (world: SandboxWorld, request: unknown) => Promise<RunOutcome>;

/**
 * One request through the ledger, as every front door submits it, and how its execution ended. A
 * request the ledger already holds as failed starts the next attempt at the step that failed (the
 * resume); one it holds as vended starts nothing.
 */
export async function submitThroughLedger(world: SandboxWorld, request: unknown): Promise<RunOutcome> {
  const starter = new LocalExecutionStarter({ definition: workflowDefinition(), clock: world.clock });
  const result = await submitApplication(world.ledger, starter, request, OWNER);
  if (!('record' in result))
    return { status: 'ERROR', message: `the ledger refused the request (${result.outcome})` };
  const run = starter.runs.get(result.record.executionName);
  if (run) return runOutcome(run);
  // Nothing to start: the ledger holds this request's outcome already (the vend ended, but, say,
  // announcing it failed afterwards).
  const record = await world.ledger.get(result.record.name);
  return record?.status === 'SUCCEEDED'
    ? { status: 'SUCCEEDED' }
    : { status: 'ERROR', message: `no execution started; the ledger says ${record?.status ?? 'nothing'}` };
}

/** The default recovery: the same request again, which resumes the failed vend at its failed step. */
export const resumeThroughLedger: RecoverHook = (world, request) => submitThroughLedger(world, request);

/** Another recovery: run the whole vend again outside the ledger (every step is check-then-act). */
export const rerunVend: RecoverHook = (world, request) => runOutcome(world.vend(request));

export interface MatrixOptions {
  /** A fresh world per cell; `sandboxWorld` by default. */
  world?: () => SandboxWorld;
  /** How a failed vend is recovered; {@link resumeThroughLedger} by default. */
  recover?: RecoverHook;
  kinds?: readonly FaultKind[];
  intensities?: readonly Intensity[];
  /** Which discovered operations get a row; all by default. */
  select?: (op: WorkflowOperation) => boolean;
  /**
   * Aim each fault at the account of the operation's first call (on by default). Config calls go
   * to every member account in parallel: unpinned, three failures would be spread one per account
   * and the SDK's own retries would absorb each, so no task would ever see the error.
   */
  pinAccount?: boolean;
  /** Count a transient fault that needed recovery as a failure: the state machine should have coped. */
  strictTransient?: boolean;
  /** Called after each cell, e.g. to print progress. */
  onCell?: (result: CellResult, index: number, total: number) => void;
}

/** One cell of the matrix. */
export interface MatrixCell {
  operation: WorkflowOperation;
  kind: FaultKind;
  intensity: Intensity;
  /**
   * A request vended cleanly, through the ledger, before the fault is armed: the faulted vend is
   * then a change of the application (the change rows: what only a changed request calls).
   */
  prelude?: unknown;
  /** The request this cell vends, in place of the matrix's (a change row's changed request). */
  request?: unknown;
}

/**
 * A change of the application: the request without its last access grant and its last alternate
 * contact type, so that the vend of it removes an assignment and a contact appvend made. Undefined
 * for a request with neither to drop.
 */
export function accessDropped(rawRequest: unknown): unknown {
  const request = rawRequest as { access?: unknown[]; contacts?: Record<string, unknown> };
  const contactTypes = Object.keys(request.contacts ?? {});
  if ((request.access?.length ?? 0) < 1 && contactTypes.length < 1) return undefined;
  const contacts = Object.fromEntries(
    Object.entries(request.contacts ?? {}).filter(([type]) => type !== contactTypes.at(-1)),
  );
  return {
    ...request,
    ...(request.access && { access: request.access.slice(0, -1) }),
    ...(request.contacts && { contacts }),
  };
}

/**
 * The operations a change calls that a first vend does not: a clean vend of `before` through the
 * ledger, then of `after`, whose calls are compared with `known` (the first vend's operations).
 */
export async function discoverChangeOperations(
  before: unknown,
  after: unknown,
  known: readonly WorkflowOperation[],
  newWorld: () => SandboxWorld = sandboxWorld,
): Promise<WorkflowOperation[]> {
  const world = newWorld();
  const first = await submitThroughLedger(world, before);
  const mark = world.sandbox.calls.length;
  const second = await submitThroughLedger(world, after);
  if (first.status !== 'SUCCEEDED' || second.status !== 'SUCCEEDED') {
    throw new Error(`The clean change did not succeed (${describeRun(first)}; ${describeRun(second)})`);
  }
  const seen = new Set(known.map(operationLabel));
  return operationsCalled(world.sandbox.calls.slice(mark).filter((call) => !seen.has(operationLabel(call))));
}

/** The distinct operations among `calls`, in the order of their first call, with how often each was called. */
function operationsCalled(calls: SandboxWorld['sandbox']['calls']): WorkflowOperation[] {
  const found = new Map<string, WorkflowOperation>();
  for (const call of calls) {
    const key = operationLabel(call);
    const known = found.get(key);
    if (known) known.calls += 1;
    else
      found.set(key, {
        service: call.service,
        operation: call.operation,
        mutating: call.mutating,
        firstAccount: call.accountId,
        calls: 1,
      });
  }
  return [...found.values()];
}

/**
 * Runs one clean vend and lists every distinct operation it called, reads and writes, in every
 * account, in the order of their first call. The matrix is built from this list, so it follows
 * the workflow when its steps change.
 */
export async function discoverOperations(
  request: unknown,
  newWorld: () => SandboxWorld = sandboxWorld,
): Promise<WorkflowOperation[]> {
  const world = newWorld();
  const outcome = await runOutcome(world.vend(request));
  if (outcome.status !== 'SUCCEEDED') {
    throw new Error(`The clean vend did not succeed (${describeRun(outcome)}): no matrix to build`);
  }
  return operationsCalled(world.sandbox.calls);
}

/** The cells for these operations, row by row (operation), then kind, then intensity. */
export function matrixCells(
  operations: readonly WorkflowOperation[],
  options: Pick<MatrixOptions, 'kinds' | 'intensities'> & {
    change?: { before: unknown; after: unknown };
  } = {},
): MatrixCell[] {
  const kinds = options.kinds ?? FAULT_KINDS;
  const intensities = options.intensities ?? INTENSITIES;
  const prelude = options.change ? { prelude: options.change.before, request: options.change.after } : {};
  return operations.flatMap((operation) =>
    kinds.flatMap((kind) => intensities.map((intensity) => ({ operation, kind, intensity, ...prelude }))),
  );
}

/** Runs the matrix: discovery, then one fresh world per cell. Nothing of a cell is kept but its result. */
export async function runMatrix(request: unknown, options: MatrixOptions = {}): Promise<CellResult[]> {
  const newWorld = options.world ?? sandboxWorld;
  const operations = (await discoverOperations(request, newWorld)).filter(options.select ?? (() => true));
  const cells = matrixCells(operations, options);
  const results: CellResult[] = [];
  for (const [index, cell] of cells.entries()) {
    const result = await runCell(cell, request, options);
    results.push(result);
    options.onCell?.(result, index, cells.length);
  }
  return results;
}

/** Vends with one fault armed, recovers if the vend failed, and checks the organization. */
export async function runCell(
  cell: MatrixCell,
  request: unknown,
  options: Omit<MatrixOptions, 'kinds' | 'intensities' | 'select' | 'onCell'> = {},
): Promise<CellResult> {
  const started = performance.now();
  const { operation, kind, intensity } = cell;
  if (cell.request !== undefined) request = cell.request;
  const world = (options.world ?? sandboxWorld)();
  const times = INTENSITY_TIMES[intensity];
  const fault: FaultSpec = {
    service: operation.service,
    operation: operation.operation,
    error: kind,
    times,
  };
  if ((options.pinAccount ?? true) && operation.firstAccount) fault.account = operation.firstAccount;
  const prelude = cell.prelude === undefined ? undefined : await submitThroughLedger(world, cell.prelude);
  world.sandbox.faults.inject(fault);

  const firstRun = await submitThroughLedger(world, request);
  const fired = times - (world.sandbox.faults.pending()[0]?.remaining ?? 0);
  // The outage is over, whatever the recovery does next.
  world.sandbox.faults.clear();

  let finalRun = firstRun;
  let recoveryRun: RunOutcome | undefined;
  if (firstRun.status !== 'SUCCEEDED') {
    recoveryRun = await (options.recover ?? resumeThroughLedger)(world, request);
    finalRun = recoveryRun;
  }

  const reasons = [
    ...checkOrganization(world.sandbox, request),
    ...checkAccessRecord(await world.ledger.get(parseRequest(request).name), world.sandbox, request),
  ];
  if (finalRun.status !== 'SUCCEEDED')
    reasons.unshift(`the final vend did not succeed: ${describeRun(finalRun)}`);
  if (prelude && prelude.status !== 'SUCCEEDED')
    reasons.unshift(`the vend before the change, without faults, did not succeed: ${describeRun(prelude)}`);
  if (options.strictTransient && intensity === 'transient' && recoveryRun) {
    reasons.unshift(`a transient fault needed recovery: the vend ${describeRun(firstRun)}`);
  }
  let outcome: CellOutcome = reasons.length > 0 ? 'failed' : 'passed';
  if (fired === 0) outcome = 'unfired';

  return {
    service: operation.service,
    operation: operation.operation,
    mutating: operation.mutating,
    kind,
    intensity,
    outcome,
    recovered: recoveryRun !== undefined,
    fired,
    times,
    firstRun,
    ...(recoveryRun && { recoveryRun }),
    reasons,
    wallMs: Math.round(performance.now() - started),
  };
}

/** Waits for a vend and says how it ended; an execution that threw is ERROR, not an exception. */
async function runOutcome(vend: Promise<VendRun>): Promise<RunOutcome> {
  try {
    const { summary } = await vend;
    if (summary.status === 'SUCCEEDED') return { status: 'SUCCEEDED' };
    return {
      status: 'FAILED',
      step: summary.error?.step ?? 'unknown',
      message: summary.error?.message ?? '',
    };
  } catch (error) {
    return {
      status: 'ERROR',
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

export function describeRun(run: RunOutcome): string {
  if (run.status === 'SUCCEEDED') return 'succeeded';
  if (run.status === 'ERROR') return `ended with an execution error (${run.message ?? ''})`;
  return `failed at ${run.step ?? 'unknown'}: ${run.message ?? ''}`;
}

/** Where each vended template goes (DESIGN.md §3), stated here rather than read from the workflow. */
const TEMPLATE_TARGETS: Readonly<Record<TemplateKey, 'tooling' | 'stages' | 'every account'>> = {
  'artifact-store': 'tooling',
  pipeline: 'tooling',
  'cross-account-roles': 'stages',
  guardrails: 'every account',
};

const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * What the organization must hold after a vend of `request`, whatever happened on the way, read
 * from the sandbox's own state. Returns every violation (none: the application is vended once).
 *
 * - exactly one OU named for the application, under the parent (the root);
 * - exactly one SCP named for the application, attached exactly once, to that OU;
 * - per expected email (tooling and each stage) exactly one account, active, in the OU, and no
 *   other account in the OU;
 * - per expected email exactly one CreateAccount request SUCCEEDED, for that account, and at most
 *   one other, FAILED EMAIL_ALREADY_EXISTS. A vend looks for an earlier attempt's account only
 *   where appvend keeps it (the recorded id, the OU) and relies on AWS's EMAIL_ALREADY_EXISTS for
 *   the rest: an account created by a first vend that failed before moving it into the OU is found
 *   so, at the cost of that one failed request (README, "Finding an account without reading the
 *   organization"). Any other second request means CreateAccount was sent again blindly
 *   (CONCURRENT_ACCOUNT_MODIFICATION while the first is in progress, or a second failed one), which
 *   takes one of the organization's five CreateAccount slots, and a workflow that follows the wrong
 *   request fails the vend. No extra account can come of it, which is why this is checked apart
 *   from the accounts: the organization looks right while the call log shows the bug;
 * - per template exactly one active stack set, with exactly one stack instance per expected account
 *   (none elsewhere), CURRENT and SUCCEEDED;
 * - per account a recording Config recorder and the application's conformance pack, not failed;
 * - at most one quarantine SCP in the organization, and none of the application's accounts still
 *   carries it (it comes off once the baseline is in place: a vend that ends with it attached has
 *   left the accounts unusable);
 * - per Identity Center grant of the request exactly one assignment, provisioned, and no other
 *   assignment in the application's accounts (on a fresh organization only appvend assigns);
 * - on every account exactly the request's alternate contacts, with its values.
 */
export function checkOrganization(
  sandbox: Sandbox,
  rawRequest: unknown,
  options: { parentId?: string; region?: string } = {},
): string[] {
  const request = parseRequest(rawRequest);
  const app = request.name;
  const parentId = options.parentId ?? sandbox.organization().RootId;
  const region = options.region ?? 'us-east-1';
  const violations: string[] = [];

  const ous = sandbox.ous().filter((ou) => ou.name === ouName(app));
  if (ous.length !== 1 || ous[0]!.parentId !== parentId) {
    violations.push(
      `expected one OU ${ouName(app)} under ${parentId}, found ${ous.length}` +
        (ous.length > 0 ? ` (${ous.map((ou) => `${ou.id} under ${ou.parentId}`).join(', ')})` : ''),
    );
  }
  const ou = ous.find((o) => o.parentId === parentId);

  const scps = sandbox.policies().filter((p) => p.name === scpName(app));
  if (scps.length !== 1) violations.push(`expected one SCP ${scpName(app)}, found ${scps.length}`);
  for (const scp of scps) {
    const targets = sandbox
      .attachments()
      .filter((a) => a.policyId === scp.id)
      .map((a) => a.targetId);
    if (targets.length !== 1 || targets[0] !== ou?.id) {
      violations.push(
        `expected SCP ${scp.id} attached once, to ${ou?.id ?? 'the OU'}; attached to [${targets.join(', ')}]`,
      );
    }
  }

  const accounts = sandbox.accounts();
  const requests = sandbox.createAccountRequests();
  const idByStage = new Map<string, string>();
  for (const spec of accountSpecs(request)) {
    const found = accounts.filter((a) => sameEmail(a.email, spec.email));
    if (found.length !== 1) {
      violations.push(`expected one account ${spec.email}, found ${found.length}`);
    }
    const account = found[0];
    if (account) {
      idByStage.set(spec.stage, account.id);
      if (account.status !== 'ACTIVE')
        violations.push(`account ${account.id} (${spec.email}) is ${account.status}`);
      if (account.parentId !== ou?.id) {
        violations.push(`account ${account.id} (${spec.email}) is under ${account.parentId}, not the OU`);
      }
    }
    const made = requests.filter((r) => sameEmail(r.email, spec.email));
    const summary = made.map((r) => `${r.id} ${r.state}${r.failureReason ? ` ${r.failureReason}` : ''}`);
    const succeeded = made.filter((r) => r.state === 'SUCCEEDED');
    const others = made.filter((r) => r.state !== 'SUCCEEDED');
    const taken = others.every((r) => r.state === 'FAILED' && r.failureReason === 'EMAIL_ALREADY_EXISTS');
    if (succeeded.length !== 1 || succeeded[0]!.accountId !== account?.id || others.length > 1 || !taken) {
      violations.push(
        `expected one SUCCEEDED CreateAccount request for ${spec.email} (and at most one FAILED EMAIL_ALREADY_EXISTS), found [${summary.join(', ')}]`,
      );
    }
  }
  const expectedIds = new Set(idByStage.values());
  const strays = accounts.filter((a) => ou && a.parentId === ou.id && !expectedIds.has(a.id));
  if (strays.length > 0) {
    violations.push(
      `the OU holds accounts it should not: ${strays.map((a) => `${a.id} ${a.email}`).join(', ')}`,
    );
  }

  const toolingId = idByStage.get('tooling');
  const stageIds = request.stages.map((stage) => idByStage.get(stage));
  const allIds = [toolingId, ...stageIds];
  const stackSets = sandbox.stackSets();
  const instances = sandbox.stackInstances();
  for (const template of TEMPLATE_KEYS) {
    const name = stackSetName(app, template);
    const active = stackSets.filter((s) => s.name === name && s.status === 'ACTIVE');
    if (active.length !== 1) {
      violations.push(`expected one active stack set ${name}, found ${active.length}`);
      continue;
    }
    const target = TEMPLATE_TARGETS[template];
    const wanted = (target === 'tooling' ? [toolingId] : target === 'stages' ? stageIds : allIds).filter(
      (id): id is string => id !== undefined,
    );
    const ofSet = instances.filter((i) => i.stackSetId === active[0]!.id);
    for (const account of wanted) {
      const here = ofSet.filter((i) => i.account === account && i.region === region);
      if (here.length !== 1) {
        violations.push(`expected one ${name} instance in ${account}/${region}, found ${here.length}`);
      }
      for (const instance of here) {
        if (instance.status !== 'CURRENT' || instance.detailedStatus !== 'SUCCEEDED') {
          violations.push(
            `${name} instance in ${account} is ${instance.status}/${instance.detailedStatus}` +
              (instance.statusReason ? ` (${instance.statusReason})` : ''),
          );
        }
      }
    }
    const stray = ofSet.filter((i) => !wanted.includes(i.account) || i.region !== region);
    if (stray.length > 0) {
      violations.push(
        `${name} has stray instances: ${stray.map((i) => `${i.account}/${i.region}`).join(', ')}`,
      );
    }
  }

  const quarantine = sandbox.policies().filter((p) => p.name === QUARANTINE_POLICY_NAME);
  if (quarantine.length > 1)
    violations.push(`expected at most one ${QUARANTINE_POLICY_NAME} SCP, found ${quarantine.length}`);
  const attachments = sandbox.attachments();
  for (const policy of quarantine) {
    const held = attachments.filter((a) => a.policyId === policy.id && expectedIds.has(a.targetId));
    for (const { targetId } of held)
      violations.push(`account ${targetId} still carries ${QUARANTINE_POLICY_NAME}`);
  }

  violations.push(...checkAccess(sandbox, request, idByStage));

  for (const account of allIds) {
    if (!account) continue;
    const config = sandbox.configState(account, region);
    if (!config.recorder?.recording) violations.push(`account ${account} has no recording Config recorder`);
    const packs = config.conformancePacks.filter((p) => p.name === conformancePackName(app));
    if (packs.length !== 1 || packs[0]!.state === 'CREATE_FAILED') {
      violations.push(
        `expected conformance pack ${conformancePackName(app)} in ${account}, found ` +
          (packs.map((p) => p.state).join(', ') || 'none'),
      );
    }
  }
  return violations;
}

/** The access part of {@link checkOrganization}: assignments and alternate contacts as the request asks. */
function checkAccess(
  sandbox: Sandbox,
  request: ReturnType<typeof parseRequest>,
  idByStage: ReadonlyMap<string, string>,
): string[] {
  const violations: string[] = [];
  const ids = new Set(idByStage.values());
  const held = sandbox.accountAssignments().filter((a) => ids.has(a.accountId));
  const wanted = new Set<string>();
  for (const grant of desiredGrants(request)) {
    const accountId = idByStage.get(grant.stage);
    if (!accountId) continue;
    const key = grantKey({ ...grant, accountId });
    wanted.add(key);
    const found = held.filter((a) => grantKey(a) === key);
    if (found.length !== 1 || !found[0]!.provisioned) {
      violations.push(
        `expected one provisioned assignment of ${grant.permissionSet} to ${grant.group} in ${accountId}, found ` +
          (found.map((a) => (a.provisioned ? 'provisioned' : 'not provisioned')).join(', ') || 'none'),
      );
    }
  }
  for (const stray of held.filter((a) => !wanted.has(grantKey(a)))) {
    violations.push(
      `account ${stray.accountId} has an assignment the request does not ask for: ${stray.permissionSet} to ${stray.group}`,
    );
  }
  const contacts = desiredContacts(request);
  const same = (a?: Record<string, string>, b?: Record<string, string>) =>
    !!a && !!b && CONTACT_FIELDS.every((f) => a[f] === b[f]);
  for (const accountId of ids) {
    const found: Record<string, Record<string, string> | undefined> = sandbox.alternateContacts(accountId);
    const right =
      Object.keys(found).length === contacts.length &&
      contacts.every(({ type, ...values }) => same(found[type], values));
    if (!right) {
      violations.push(
        `account ${accountId} has the alternate contacts [${Object.keys(found).sort().join(', ')}], ` +
          `not the request's [${contacts.map((c) => c.type).join(', ')}] with its values`,
      );
    }
  }
  return violations;
}

const CONTACT_FIELDS = ['name', 'title', 'email', 'phone'] as const;

/**
 * The ledger must name every assignment appvend made (on a fresh organization: every one the
 * request asks for), or the offboarding would leave it behind.
 */
export function checkAccessRecord(
  record: ApplicationRecord | undefined,
  sandbox: Sandbox,
  rawRequest: unknown,
): string[] {
  const request = parseRequest(rawRequest);
  const accounts = new Map(
    accountSpecs(request).flatMap((spec) => {
      const found = sandbox.accounts().find((a) => sameEmail(a.email, spec.email));
      return found ? [[spec.stage, found.id] as const] : [];
    }),
  );
  const made = new Set(accessMadeOf(record ?? {}).grants.map(grantKey));
  return desiredGrants(request).flatMap((grant) => {
    const accountId = accounts.get(grant.stage);
    if (!accountId || made.has(grantKey({ ...grant, accountId }))) return [];
    return [
      `the ledger does not record that appvend made ${grant.permissionSet} for ${grant.group} in ${accountId}: the offboarding would leave it`,
    ];
  });
}

/** What a cell shows in the table. */
export function cellMark(result: CellResult): 'ok' | 'RECOVERED' | 'FAIL' | 'unfired' {
  if (result.outcome === 'unfired') return 'unfired';
  if (result.outcome === 'failed') return 'FAIL';
  return result.recovered ? 'RECOVERED' : 'ok';
}

const KIND_LABEL: Readonly<Record<FaultKind, string>> = {
  throttling: 'throttle',
  'concurrent-modification': 'conc-mod',
  'server-error': '5xx',
  timeout: 'timeout',
  'crash-after-success': 'crash',
};

/** The matrix as a text table: a row per operation, a column per kind and intensity. */
export function renderTable(results: readonly CellResult[]): string {
  const columns: { kind: FaultKind; intensity: Intensity }[] = [];
  const rows: string[] = [];
  const marks = new Map<string, string>();
  for (const r of results) {
    const label = `${r.mutating ? '*' : ' '} ${operationLabel(r)}`;
    if (!rows.includes(label)) rows.push(label);
    if (!columns.some((c) => c.kind === r.kind && c.intensity === r.intensity)) {
      columns.push({ kind: r.kind, intensity: r.intensity });
    }
    marks.set(`${label}|${r.kind}|${r.intensity}`, cellMark(r));
  }
  const headers = columns.map((c) => `${KIND_LABEL[c.kind]}/${c.intensity === 'transient' ? 't' : 'o'}`);
  const width = Math.max(9, ...headers.map((h) => h.length)) + 1;
  const first = Math.max(10, ...rows.map((r) => r.length)) + 1;
  const line = (head: string, cells: string[]) =>
    `${head.padEnd(first)}${cells.map((c) => c.padEnd(width)).join('')}`.trimEnd();
  return [
    line('operation', headers),
    ...rows.map((row) =>
      line(
        row,
        columns.map((c) => marks.get(`${row}|${c.kind}|${c.intensity}`) ?? '-'),
      ),
    ),
    '',
    `* mutating operation · t: transient (${INTENSITY_TIMES.transient} failures) · o: outage (${INTENSITY_TIMES.outage} failures, then recovery)`,
  ].join('\n');
}

/** The counts the issue asks for. */
export function tally(results: readonly CellResult[]): {
  size: number;
  passed: number;
  failed: number;
  unfired: number;
  recovered: number;
} {
  const count = (outcome: CellOutcome) => results.filter((r) => r.outcome === outcome).length;
  return {
    size: results.length,
    passed: count('passed'),
    failed: count('failed'),
    unfired: count('unfired'),
    recovered: results.filter((r) => r.outcome === 'passed' && r.recovered).length,
  };
}
