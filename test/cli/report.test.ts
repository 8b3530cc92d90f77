import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDuration } from '../../cli/format';
import { collectVendReport, renderVendReport, type VendReportData } from '../../cli/report';
import type { VendRun } from '../../cli/vend';
import { awsClients } from '../../shared/aws/client-factory';
import type { VendSummary } from '../../shared/workflow/types';
import { sandboxWorld, type SandboxWorld } from '../support/workflow';
import { PROJECT_ROOT, runAppvend } from '../support/cli';

const sample = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

/** `HH:mm:ss` after the vend started, as the chart writes times. */
// To the nearest second, as the chart puts it.
const clock = (run: VendRun, at: number) =>
  new Date(Math.round((at - run.startedAt) / 1000) * 1000).toISOString().slice(11, 19);

/** The lines of a fenced block that follows `heading` in a Markdown text. */
function block(markdown: string, heading: string): string[] {
  const after = markdown.slice(markdown.indexOf(heading));
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(after);
  return match ? match[1]!.trimEnd().split('\n') : [];
}

describe('Function: renderVendReport', () => {
  let world: SandboxWorld;
  let run: VendRun;
  let data: VendReportData;
  let report: string;

  beforeAll(async () => {
    world = sandboxWorld();
    run = await world.vend(sample);
    data = await collectVendReport(run, awsClients(), { backend: 'the sandbox', profile: 'serverless' });
    report = renderVendReport(data);
  });

  it('puts the OU under the root and every account the sandbox holds in it under the OU', () => {
    // Prepare
    const { sandbox } = world;
    const ou = sandbox.ous().find((o) => o.name === 'appvend-orders')!;
    const accounts = sandbox.accounts().filter((a) => a.parentId === ou.id);

    // Act
    const tree = block(report, '## Organization');

    // Assess
    expect(tree[0]).toBe(`Root (${sandbox.organization().RootId})`);
    expect(tree[1]).toMatch(new RegExp(`^└── appvend-orders \\(${ou.id}\\)`));
    expect(tree[1]).toContain('appvend-orders-guardrails');
    expect(accounts).toHaveLength(3);
    const accountLines = tree.slice(2);
    expect(accountLines).toHaveLength(3);
    for (const account of accounts) {
      const line = accountLines.find((l) => l.includes(account.id));
      expect(line).toMatch(/^ {4}[├└]── /);
      expect(line).toContain(account.email);
      expect(line).toContain('ACTIVE');
    }
  });

  it('lists every stack instance with its account, stage and status', () => {
    // Prepare
    const instances = world.sandbox.stackInstances();
    const stageOf = Object.fromEntries(
      Object.entries(run.summary.accounts).map(([stage, a]) => [a.id, stage]),
    );

    // Assess
    expect(instances).toHaveLength(7);
    for (const instance of instances) {
      expect(report).toContain(
        `| ${instance.stackSetName} | ${instance.account} | ${stageOf[instance.account]} | us-east-1 | CURRENT | SUCCEEDED |`,
      );
    }
  });

  it('charts AWS work and the workflow on the clock, sections in order', () => {
    // Act
    const chart = block(report, '## Timeline');

    // Assess
    expect(chart.slice(0, 4)).toEqual([
      'gantt',
      `  title orders SUCCEEDED in ${formatDuration(run.endedAt - run.startedAt)}`,
      '  dateFormat HH:mm:ss',
      '  axisFormat %M:%S',
    ]);
    expect(chart.filter((l) => l.startsWith('  section '))).toEqual([
      '  section Organization',
      '  section Accounts',
      '  section Stack sets',
      '  section Guardrails',
    ]);
    // CreateAccount takes three minutes on the sandbox; the workflow sees it at a later look.
    const accountsSeen = clock(run, run.steps.find((s) => s.step === 'VendAccounts')!.endedAt!);
    expect(accountsSeen > '00:03:00').toBe(true);
    for (const stage of ['tooling', 'test', 'prod']) {
      expect(chart).toContainEqual(
        expect.stringMatching(
          new RegExp(`^  ${stage} CreateAccount \\(AWS\\) :active, t\\d+, 00:00:00, 00:03:00$`),
        ),
      );
    }
    // Each account's branch ends when its account answers through its role (the readiness probe's
    // retries differ per account); the step ends with the last of them.
    const moved = ['tooling', 'test', 'prod'].map((stage) => {
      const line = chart.find((l) => l.startsWith(`  ${stage} vended and moved (workflow) :`));
      expect(line).toMatch(/ :t\d+, 00:00:00, \d\d:\d\d:\d\d$/);
      return line!.slice(-8);
    });
    for (const end of moved) expect(end > '00:03:00' && end <= accountsSeen).toBe(true);
    expect(moved.sort().at(-1)).toBe(accountsSeen);
    // The pipeline starts when the workflow has seen the artifact store current.
    const end = (label: string) =>
      chart
        .find((l) => l.includes(label))!
        .split(', ')
        .pop();
    const start = (label: string) => chart.find((l) => l.includes(label))!.split(', ')[2];
    expect(start('pipeline CREATE operation (AWS)')).toBe(end('artifact-store current (workflow)'));
    // The vend ends when the last of its branches does: the pipeline, or the packs it waits for.
    expect(end('pipeline current (workflow)')! <= clock(run, run.endedAt)).toBe(true);
    const registered = clock(run, run.tasks.find((t) => t.state === 'RegisterGuardrails')!.startedAt);
    expect(chart).toContainEqual(
      expect.stringMatching(
        new RegExp(`^ {2}RegisterGuardrails :milestone, t\\d+, ${registered}, ${registered}$`),
      ),
    );
  });

  it('shows the guardrails in each account: recorder, conformance pack and its rules', () => {
    // Prepare
    const registered = run.tasks.find((t) => t.state === 'RegisterGuardrails')!.startedAt;

    // Assess: the vend waited for each pack, so every one is complete by its end
    for (const [stage, account] of Object.entries(run.summary.accounts)) {
      expect(report).toMatch(
        new RegExp(
          `\\| ${account.id} \\| ${stage} \\| default \\(recording\\) \\| appvend-orders-guardrails \\| CREATE_COMPLETE \\| ` +
            `\\+${formatDuration(registered - run.startedAt)} \\| \\+\\d+m\\d+s \\|`,
        ),
      );
    }
    expect(report).not.toContain('still deploying');
    expect(report).toContain('- `s3-bucket-versioning-enabled` (S3_BUCKET_VERSIONING_ENABLED)');
    expect(report).toContain('SCP statements: `DenyServers`, `DenyLeavingTheOrganization`');
  });
});

describe('Function: renderVendReport of a failed vend', () => {
  it('names the step and the reason, and shows the OU it made without accounts', async () => {
    // Prepare
    const world = sandboxWorld();
    process.env.APPVEND_SCP_SIZE_QUOTA = '200';
    let run: VendRun;
    try {
      run = await world.vend(sample);
    } finally {
      delete process.env.APPVEND_SCP_SIZE_QUOTA;
    }

    // Act
    const data = await collectVendReport(run, awsClients(), { backend: 'the sandbox' });
    const report = renderVendReport(data);

    // Assess
    expect((run.summary as VendSummary).status).toBe('FAILED');
    expect(report).toContain('# Vend of orders: FAILED');
    expect(report).toMatch(
      /Failed at \*\*EnsureServiceControlPolicy\*\*: SCP appvend-orders-guardrails is \d+ characters/,
    );
    expect(block(report, '## Organization')).toHaveLength(2);
    expect(report).toContain('## Stack instances\n\n(none)');
    expect(report).toContain('## Guardrails\n\n(not registered)');
  });
});

describe('CLI: appvend vend --report', () => {
  it('writes the report of the vend, with the latency model overridden', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'appvend-report-'));
    const reportFile = join(dir, 'report.md');

    // Act
    const result = runAppvend([
      'vend',
      'events/application-request.json',
      '--fresh',
      '--state',
      join(dir, 'sandbox.json'),
      '--json',
      '--report',
      reportFile,
      '--latency',
      'createAccount=10m',
    ]);

    // Assess
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as VendSummary;
    const report = readFileSync(reportFile, 'utf8');
    const tree = block(report, '## Organization').join('\n');
    for (const account of Object.values(summary.accounts)) expect(tree).toContain(account.id);
    expect(report).toMatch(/tooling CreateAccount \(AWS\) :active, t\d+, 00:00:00, 00:10:00/);
  });
});
