import {
  CloudFormationClient,
  DescribeStackSetCommand,
  paginateListStackInstances,
  paginateListStackSetOperations,
  type StackInstanceSummary,
} from '@aws-sdk/client-cloudformation';
import { stackSetsCallAs } from '../shared/aws/stack-set-permissions';
import { hasAssignment, identityCenterClients, resolveIdentities } from '../shared/aws/identity-center';
import {
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConformancePackStatusCommand,
} from '@aws-sdk/client-config-service';
import {
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListRootsCommand,
  paginateListAccountsForParent,
  paginateListCreateAccountStatus,
  paginateListPoliciesForTarget,
} from '@aws-sdk/client-organizations';
import type { ClientFactory } from '../shared/aws/client-factory';
import { collect, isAwsError } from '../shared/aws/paginate';
import { conformancePackRules, type ConformancePackProfile } from '../shared/domain/conformance-pack';
import { TEMPLATE_KEYS, accountName, stackSetName } from '../shared/domain/naming';
import { formatDuration } from './format';
import type { StepTiming, TaskSpan, VendRun } from './vend';

/** One span on the clock, in milliseconds since the vend started. */
interface Span {
  label: string;
  start: number;
  end: number;
}

/** Everything the report shows, read back from the backend after the vend. */
export interface VendReportData {
  application: string;
  status: string;
  /** Where the vend ran, e.g. `sandbox (virtual clock)`. */
  backend: string;
  startedAt: number;
  endedAt: number;
  steps: StepTiming[];
  tasks: TaskSpan[];
  transitions: number;
  error?: { step: string; message: string };
  /** Stage by account id, from the vend's summary. */
  stages: Record<string, string>;
  createAccountRequests: {
    accountName: string;
    state: string;
    requestedAt: number;
    completedAt?: number;
    accountId?: string;
  }[];
  operations: {
    stackSet: string;
    id: string;
    action: string;
    status: string;
    createdAt: number;
    endedAt?: number;
  }[];
  /** Root first, the application's OU last (empty when the vend did not get that far). */
  ouPath: { id: string; name: string }[];
  ouAccounts: { id: string; name: string; email: string; status: string }[];
  ouPolicies: { id: string; name: string }[];
  /** The Sids of the application's SCP: what it denies. */
  scpStatements: string[];
  stackInstances: {
    stackSet: string;
    account: string;
    region: string;
    status: string;
    detailedStatus?: string;
    reason?: string;
  }[];
  conformancePackRules: { name: string; identifier: string; description: string }[];
  guardrails: {
    account: string;
    recorder?: { name: string; recording: boolean };
    conformancePack?: { name: string; state: string; requestedAt?: number; completedAt?: number };
  }[];
  /**
   * Who can get into which account: the summary's grants, each read back from Identity Center
   * (`present`: the assignment is there now), the contacts put, and when the team can sign in.
   */
  access?: {
    grants: {
      group: string;
      permissionSet: string;
      stage: string;
      accountId: string;
      outcome: string;
      present?: boolean;
    }[];
    contacts: { accountId: string; types: string[] }[];
    note: string;
  };
  /** What the backend could not answer (an emulator lacking a call), left out of the report. */
  unavailable: string[];
  /** Said under the heading: e.g. that nothing ran because the request was already vended. */
  note?: string;
}

const time = (date: Date | undefined): number | undefined => (date ? date.getTime() : undefined);

/**
 * Reads back, through the same AWS clients the vend used (so on any backend), what a report
 * shows: the CreateAccount requests and stack set operations with their AWS timestamps, the OU
 * with its accounts and policies, the stack instances, and the Config guardrails in each account.
 */
export async function collectVendReport(
  run: VendRun,
  clients: ClientFactory,
  options: { backend: string; profile?: ConformancePackProfile; note?: string },
): Promise<VendReportData> {
  const { summary } = run;
  const organizations = clients.organizations();
  const cloudFormation = clients.managementClient(CloudFormationClient);
  // Service-managed stack sets are read as the vend reaches them (CallAs), as the step handlers do.
  const callAs = await stackSetsCallAs(clients, {
    mode: process.env.APPVEND_STACKSETS_MODE === 'SERVICE_MANAGED' ? 'SERVICE_MANAGED' : 'SELF_MANAGED',
    ...(process.env.APPVEND_MANAGEMENT_ACCOUNT_ID && {
      managementAccountId: process.env.APPVEND_MANAGEMENT_ACCOUNT_ID,
    }),
  });
  const asVend = callAs ? { CallAs: callAs } : {};
  const stages = Object.fromEntries(Object.entries(summary.accounts).map(([stage, a]) => [a.id, stage]));
  const accountNames = new Set(
    Object.keys(summary.accounts).map((stage) => accountName(summary.application, stage)),
  );
  const unavailable: string[] = [];
  /** A section the backend cannot answer (an emulator lacking a call) is left out and named. */
  const section = async <T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      unavailable.push(`${what}: ${(error as Error).name}: ${(error as Error).message}`);
      return fallback;
    }
  };

  const requests = await section(
    'CreateAccount requests',
    () =>
      collect(
        paginateListCreateAccountStatus({ client: organizations }, {}),
        (page) => page.CreateAccountStatuses,
      ),
    [],
  );
  const createAccountRequests = requests
    .filter((r) => r.AccountName !== undefined && accountNames.has(r.AccountName))
    .filter((r) => (time(r.RequestedTimestamp) ?? 0) <= run.endedAt)
    .map((r) => ({
      accountName: r.AccountName ?? '',
      state: r.State ?? 'UNKNOWN',
      requestedAt: time(r.RequestedTimestamp) ?? run.startedAt,
      ...(r.CompletedTimestamp ? { completedAt: r.CompletedTimestamp.getTime() } : {}),
      ...(r.AccountId ? { accountId: r.AccountId } : {}),
    }))
    .sort((a, b) => a.requestedAt - b.requestedAt);

  const operations: VendReportData['operations'] = [];
  const stackInstances: VendReportData['stackInstances'] = [];
  // By their deterministic names, so that a failed vend still shows the stack sets it made.
  const stackSetNames = [
    ...new Set([
      ...summary.stackSets.map((s) => s.name),
      ...TEMPLATE_KEYS.map((k) => stackSetName(summary.application, k)),
    ]),
  ];
  const stackSets = await section(
    'stack sets',
    async () => {
      const found: { name: string }[] = [];
      for (const name of stackSetNames) {
        try {
          await cloudFormation.send(new DescribeStackSetCommand({ StackSetName: name, ...asVend }));
          found.push({ name });
        } catch (error) {
          if (!isAwsError(error, 'StackSetNotFoundException')) throw error;
        }
      }
      return found;
    },
    summary.stackSets,
  );
  for (const stackSet of stackSets) {
    const ops = await section(
      `operations of ${stackSet.name}`,
      () =>
        collect(
          paginateListStackSetOperations(
            { client: cloudFormation },
            { StackSetName: stackSet.name, ...asVend },
          ),
          (page) => page.Summaries,
        ),
      [],
    );
    for (const op of ops) {
      const createdAt = time(op.CreationTimestamp) ?? run.startedAt;
      // Only this vend's operations: a second vend of the same application finds earlier ones.
      if (createdAt < run.startedAt || createdAt > run.endedAt) continue;
      operations.push({
        stackSet: stackSet.name,
        id: op.OperationId ?? '',
        action: op.Action ?? 'UNKNOWN',
        status: op.Status ?? 'UNKNOWN',
        createdAt,
        ...(op.EndTimestamp ? { endedAt: op.EndTimestamp.getTime() } : {}),
      });
    }
    const instances: StackInstanceSummary[] = await section(
      `stack instances of ${stackSet.name}`,
      () =>
        collect(
          paginateListStackInstances({ client: cloudFormation }, { StackSetName: stackSet.name, ...asVend }),
          (page) => page.Summaries,
        ),
      [],
    );
    for (const instance of instances) {
      stackInstances.push({
        stackSet: stackSet.name,
        account: instance.Account ?? '',
        region: instance.Region ?? '',
        status: instance.Status ?? 'UNKNOWN',
        ...(instance.StackInstanceStatus?.DetailedStatus
          ? { detailedStatus: instance.StackInstanceStatus.DetailedStatus }
          : {}),
        ...(instance.StatusReason ? { reason: instance.StatusReason } : {}),
      });
    }
  }
  operations.sort((a, b) => a.createdAt - b.createdAt);

  let ouPath: VendReportData['ouPath'] = [];
  let ouAccounts: VendReportData['ouAccounts'] = [];
  let ouPolicies: VendReportData['ouPolicies'] = [];
  const ou = summary.organizationalUnit;
  if (ou) {
    ouPath = await section('the OU path', () => pathToRoot(clients, ou.id), [{ id: ou.id, name: ou.name }]);
    const accounts = await section(
      'the accounts in the OU',
      () =>
        collect(
          paginateListAccountsForParent({ client: organizations }, { ParentId: ou.id }),
          (page) => page.Accounts,
        ),
      [],
    );
    ouAccounts = accounts.map((a) => ({
      id: a.Id ?? '',
      name: a.Name ?? '',
      email: a.Email ?? '',
      status: a.State ?? 'UNKNOWN',
    }));
    const policies = await section(
      'the policies attached to the OU',
      () =>
        collect(
          paginateListPoliciesForTarget(
            { client: organizations },
            { TargetId: ou.id, Filter: 'SERVICE_CONTROL_POLICY' },
          ),
          (page) => page.Policies,
        ),
      [],
    );
    ouPolicies = policies.map((p) => ({ id: p.Id ?? '', name: p.Name ?? '' }));
  }

  let scpStatements: string[] = [];
  const scp = summary.serviceControlPolicy;
  if (scp) {
    scpStatements = await section(
      'the SCP',
      async () => {
        const { Policy } = await organizations.send(new DescribePolicyCommand({ PolicyId: scp.id }));
        const document = JSON.parse(Policy?.Content ?? '{}') as { Statement?: { Sid?: string }[] };
        return (document.Statement ?? []).map((s, i) => s.Sid ?? `statement ${i + 1}`);
      },
      [],
    );
  }

  const guardrails: VendReportData['guardrails'] = [];
  const packName = summary.guardrails?.conformancePack;
  for (const account of Object.keys(summary.guardrails?.accounts ?? {})) {
    const config = await section(
      `access to ${account}`,
      () => clients.memberClient(ConfigServiceClient, account),
      undefined,
    );
    if (!config) continue;
    const recorders = await section(
      `the Config recorder of ${account}`,
      async () =>
        (await config.send(new DescribeConfigurationRecorderStatusCommand({}))).ConfigurationRecordersStatus,
      undefined,
    );
    const packs = await section(
      `the conformance pack of ${account}`,
      async () =>
        (
          await config.send(
            new DescribeConformancePackStatusCommand(packName ? { ConformancePackNames: [packName] } : {}),
          )
        ).ConformancePackStatusDetails,
      undefined,
    );
    const recorder = recorders?.[0];
    const pack = packs?.[0];
    guardrails.push({
      account,
      ...(recorder
        ? { recorder: { name: recorder.name ?? '', recording: recorder.recording === true } }
        : {}),
      ...(pack
        ? {
            conformancePack: {
              name: pack.ConformancePackName ?? '',
              state: pack.ConformancePackState ?? 'UNKNOWN',
              ...(pack.LastUpdateRequestedTime
                ? { requestedAt: pack.LastUpdateRequestedTime.getTime() }
                : {}),
              ...(pack.LastUpdateCompletedTime
                ? { completedAt: pack.LastUpdateCompletedTime.getTime() }
                : {}),
            },
          }
        : {}),
    });
  }

  // A run with no start (a request already vended: nothing ran) shows all of AWS's own record.
  const startedAt = Number.isFinite(run.startedAt)
    ? run.startedAt
    : Math.min(
        run.endedAt,
        ...createAccountRequests.map((r) => r.requestedAt),
        ...operations.map((o) => o.createdAt),
      );

  let access: VendReportData['access'];
  if (summary.access) {
    access = { ...summary.access, grants: summary.access.grants.map((g) => ({ ...g })) };
    try {
      const { sso, store } = identityCenterClients();
      const ids = await resolveIdentities(
        { sso, store },
        {
          groups: [...new Set(access.grants.map((g) => g.group))],
          permissionSets: [...new Set(access.grants.map((g) => g.permissionSet))],
        },
        process.env.APPVEND_IDENTITY_CENTER_INSTANCE_ARN || undefined,
      );
      for (const grant of access.grants) {
        grant.present = await hasAssignment(sso, ids.instanceArn, {
          accountId: grant.accountId,
          permissionSetArn: ids.permissionSets[grant.permissionSet]!,
          groupId: ids.groups[grant.group]!,
        });
      }
    } catch (error) {
      unavailable.push(`Identity Center assignments (${(error as Error).message})`);
    }
  }

  return {
    application: summary.application,
    status: summary.status,
    backend: options.backend,
    ...(options.note !== undefined && { note: options.note }),
    startedAt,
    endedAt: run.endedAt,
    steps: run.steps,
    tasks: run.tasks,
    transitions: run.transitions,
    ...(summary.error ? { error: summary.error } : {}),
    stages,
    createAccountRequests,
    operations,
    ouPath,
    ouAccounts,
    ouPolicies,
    scpStatements,
    stackInstances,
    conformancePackRules: options.profile
      ? conformancePackRules(options.profile).map(({ name, identifier, description }) => ({
          name,
          identifier,
          description,
        }))
      : [],
    guardrails,
    ...(access && { access }),
    unavailable,
  };
}

async function pathToRoot(clients: ClientFactory, ouId: string): Promise<VendReportData['ouPath']> {
  const organizations = clients.organizations();
  const path: VendReportData['ouPath'] = [];
  let id = ouId;
  // An OU tree is at most five levels deep below the root.
  for (let depth = 0; depth < 6 && id.startsWith('ou-'); depth += 1) {
    const { OrganizationalUnit: unit } = await organizations.send(
      new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id }),
    );
    path.unshift({ id, name: unit?.Name ?? id });
    const { Parents } = await organizations.send(new ListParentsCommand({ ChildId: id }));
    id = Parents?.[0]?.Id ?? '';
  }
  if (id.startsWith('r-')) {
    const { Roots } = await organizations.send(new ListRootsCommand({}));
    path.unshift({ id, name: Roots?.find((r) => r.Id === id)?.Name ?? 'Root' });
  }
  return path;
}

/** Mermaid's task names may not hold `:`, `;` or `#`. */
const ganttLabel = (text: string): string => text.replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim();

const DAY_MS = 86_400_000;

/**
 * A time since the start in the chart's date format, readable on its axis in any time zone:
 * `HH:mm:ss` for a vend shorter than a day; for a longer one (an hour-long CreateAccount queue
 * times many accounts) `YYYY-MM-DD HH:mm:ss` counted from a fixed first day, 2000-01-01, so no bar
 * is cut at 23:59:59. Both are parsed as local times, so no time zone shifts them.
 */
function clockOf(ms: number, long: boolean): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(Math.floor((total % 86_400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  if (!long) return time;
  const day = new Date(Date.UTC(2000, 0, 1) + Math.floor(total / 86_400) * DAY_MS);
  return `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())} ${time}`;
}

/** The workflow's view of one subject: from its first task to its last. */
function taskWindow(tasks: TaskSpan[], match: (task: TaskSpan) => boolean): [number, number] | undefined {
  const mine = tasks.filter(match);
  if (mine.length === 0) return undefined;
  return [Math.min(...mine.map((t) => t.startedAt)), Math.max(...mine.map((t) => t.endedAt ?? t.startedAt))];
}

/** The spans the chart shows, by section, in milliseconds since the vend started. */
export function ganttSections(data: VendReportData): { section: string; spans: Span[] }[] {
  const t0 = data.startedAt;
  const rel = (at: number) => Math.max(0, at - t0);
  const span = (label: string, start: number, end: number): Span => ({
    label,
    start: rel(start),
    end: Math.max(rel(start), rel(end)),
  });
  const app = data.application;
  const stageOfName = (name: string) =>
    Object.values(data.stages).find((stage) => accountName(app, stage) === name) ?? name;
  const templateOf = (name: string) => TEMPLATE_KEYS.find((key) => stackSetName(app, key) === name) ?? name;

  const organization = data.steps
    .filter((s) =>
      ['ValidateRequest', 'EnsureOrganizationalUnit', 'EnsureServiceControlPolicy'].includes(s.step),
    )
    .map((s) => span(s.step, s.startedAt, s.endedAt ?? data.endedAt));

  const accounts: Span[] = [];
  for (const request of data.createAccountRequests) {
    const stage = stageOfName(request.accountName);
    accounts.push(
      span(`${stage} CreateAccount (AWS)`, request.requestedAt, request.completedAt ?? data.endedAt),
    );
    const window = taskWindow(data.tasks, (t) => t.subject === stage && t.function.includes('account'));
    if (window) accounts.push(span(`${stage} vended and moved (workflow)`, window[0], window[1]));
  }

  const stackSets: Span[] = [];
  const templates = [...new Set(data.operations.map((o) => o.stackSet))];
  for (const stackSet of templates) {
    const template = templateOf(stackSet);
    for (const op of data.operations.filter((o) => o.stackSet === stackSet)) {
      stackSets.push(
        span(`${template} ${op.action} operation (AWS)`, op.createdAt, op.endedAt ?? data.endedAt),
      );
    }
    const window = taskWindow(data.tasks, (t) => t.subject === template && t.function.includes('stack-set'));
    if (window) stackSets.push(span(`${template} current (workflow)`, window[0], window[1]));
  }

  const guardrails: Span[] = [];
  const register = data.tasks.find((t) => t.function === 'appvend-register-guardrails');
  if (register) {
    const label = register.error ? `RegisterGuardrails failed (${register.error})` : 'RegisterGuardrails';
    guardrails.push(span(label, register.startedAt, register.endedAt ?? register.startedAt));
  }
  for (const g of data.guardrails) {
    const pack = g.conformancePack;
    if (pack?.requestedAt === undefined) continue;
    const stage = data.stages[g.account] ?? g.account;
    const label = pack.completedAt === undefined ? 'conformance pack still deploying' : 'conformance pack';
    guardrails.push(span(`${stage} ${label} (AWS)`, pack.requestedAt, pack.completedAt ?? data.endedAt));
  }

  return [
    { section: 'Organization', spans: organization },
    { section: 'Accounts', spans: accounts },
    { section: 'Stack sets', spans: stackSets },
    { section: 'Guardrails', spans: guardrails },
  ].filter((s) => s.spans.length > 0);
}

/** A Mermaid Gantt chart of the vend on its clock: the workflow's steps and AWS's own work. */
export function ganttChart(data: VendReportData): string {
  const length = data.endedAt - data.startedAt;
  const long = length >= DAY_MS;
  const lines = [
    '```mermaid',
    'gantt',
    `  title ${ganttLabel(`${data.application} ${data.status} in ${formatDuration(length)}`)}`,
    `  dateFormat ${long ? 'YYYY-MM-DD HH:mm:ss' : 'HH:mm:ss'}`,
    // A long vend's axis shows the day of the month: day 01 is the day it started.
    `  axisFormat ${long ? '%d %H:%M' : length >= 3_600_000 ? '%H:%M' : '%M:%S'}`,
  ];
  let n = 0;
  for (const { section, spans } of ganttSections(data)) {
    lines.push(`  section ${section}`);
    for (const s of spans) {
      n += 1;
      const kind = s.end === s.start ? 'milestone, ' : s.label.endsWith('(AWS)') ? 'active, ' : '';
      lines.push(
        `  ${ganttLabel(s.label)} :${kind}t${n}, ${clockOf(s.start, long)}, ${clockOf(s.end, long)}`,
      );
    }
  }
  lines.push('```');
  return lines.join('\n');
}

/** The OU tree from the root down to the application's OU, with its accounts and policies. */
export function ouTree(data: VendReportData): string {
  if (data.ouPath.length === 0) return '(the vend did not create the OU)';
  const lines: string[] = [];
  data.ouPath.forEach((node, depth) => {
    const indent = depth === 0 ? '' : `${'    '.repeat(depth - 1)}└── `;
    const last = depth === data.ouPath.length - 1;
    const policies =
      last && data.ouPolicies.length > 0
        ? `  [SCP: ${data.ouPolicies.map((p) => `${p.name} ${p.id}`).join(', ')}]`
        : '';
    lines.push(`${indent}${node.name} (${node.id})${policies}`);
  });
  const pad = '    '.repeat(data.ouPath.length - 1);
  data.ouAccounts.forEach((account, i) => {
    const branch = i === data.ouAccounts.length - 1 ? '└──' : '├──';
    const stage = data.stages[account.id] ? ` ${data.stages[account.id]}` : '';
    lines.push(`${pad}${branch} ${account.id}${stage}  ${account.name}  ${account.email}  ${account.status}`);
  });
  return ['```', ...lines, '```'].join('\n');
}

const cell = (text: string | undefined) => (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const at = (data: VendReportData, ms: number | undefined) =>
  ms === undefined ? '' : `+${formatDuration(ms - data.startedAt)}`;

/**
 * The vend report as Markdown: the Gantt chart, the OU tree, the stack instances and the
 * guardrails. What `appvend vend --report FILE` writes; the benchmark report embeds one.
 */
export function renderVendReport(data: VendReportData, options: { headingLevel?: number } = {}): string {
  const h = '#'.repeat(options.headingLevel ?? 1);
  const out: string[] = [];
  out.push(`${h} Vend of ${data.application}: ${data.status}`, '');
  out.push(
    `${formatDuration(data.endedAt - data.startedAt)} on ${data.backend}, ` +
      `${data.transitions} state transitions, ${data.tasks.length} Lambda invocations.`,
  );
  if (data.note) out.push('', data.note);
  if (data.error) out.push('', `Failed at **${data.error.step}**: ${data.error.message}`);
  out.push('', `${h}# Timeline`, '');
  out.push(
    'Bars marked (AWS) are AWS doing the work (from its own timestamps); (workflow) bars run from the ' +
      "step's first task to the task that saw it done, so the gap between the two is time spent waiting to look again.",
    '',
    ganttChart(data),
  );
  out.push('', `${h}# Organization`, '', ouTree(data));
  if (data.scpStatements.length > 0) {
    out.push('', `SCP statements: ${data.scpStatements.map((s) => `\`${s}\``).join(', ')}.`);
  }
  out.push('', `${h}# Stack instances`, '');
  if (data.stackInstances.length === 0) {
    out.push('(none)');
  } else {
    out.push(
      '| stack set | account | stage | region | status | detail |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const i of data.stackInstances) {
      const detail = [i.detailedStatus, i.reason].filter(Boolean).join(': ');
      out.push(
        `| ${cell(i.stackSet)} | ${i.account} | ${cell(data.stages[i.account])} | ${i.region} | ${i.status} | ${cell(detail)} |`,
      );
    }
  }
  if (data.access) {
    out.push(
      '',
      `${h}# Access`,
      '',
      'Who can get into which account (IAM Identity Center account assignments):',
      '',
    );
    out.push(
      '| account | stage | group | permission set | by this vend | in Identity Center now |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const g of data.access.grants) {
      const now = g.present === undefined ? 'not read' : g.present ? 'yes' : 'no';
      out.push(
        `| ${g.accountId} | ${cell(g.stage)} | ${cell(g.group)} | ${cell(g.permissionSet)} | ${g.outcome} | ${now} |`,
      );
    }
    for (const c of data.access.contacts) {
      out.push(
        '',
        `Alternate contacts on ${c.accountId} (${cell(data.stages[c.accountId])}): ${c.types.join(', ')}.`,
      );
    }
    out.push('', data.access.note);
  }
  out.push('', `${h}# Guardrails`, '');
  if (data.guardrails.length === 0) {
    out.push('(not registered)');
  } else {
    out.push(
      '| account | stage | Config recorder | conformance pack | pack state | requested | complete |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const g of data.guardrails) {
      const recorder = g.recorder
        ? `${g.recorder.name} (${g.recorder.recording ? 'recording' : 'stopped'})`
        : 'none';
      const pack = g.conformancePack;
      out.push(
        `| ${g.account} | ${cell(data.stages[g.account])} | ${cell(recorder)} | ${cell(pack?.name ?? 'none')} | ` +
          `${pack?.state ?? ''} | ${at(data, pack?.requestedAt)} | ${at(data, pack?.completedAt)} |`,
      );
    }
    const late = data.guardrails.filter((g) => (g.conformancePack?.completedAt ?? Infinity) > data.endedAt);
    if (late.length > 0) {
      out.push(
        '',
        `Conformance packs still deploying (or finished after) when the vend ended: ${late.length} of ` +
          `${data.guardrails.length}.`,
      );
    }
    if (data.conformancePackRules.length > 0) {
      out.push('', 'Rules of the conformance pack:', '');
      for (const rule of data.conformancePackRules) {
        out.push(`- \`${rule.name}\` (${rule.identifier}): ${rule.description}`);
      }
    }
  }
  if (data.unavailable.length > 0) {
    out.push('', 'Not shown, because the backend did not answer:', '');
    for (const item of data.unavailable) out.push(`- ${item}`);
  }
  return `${out.join('\n')}\n`;
}
