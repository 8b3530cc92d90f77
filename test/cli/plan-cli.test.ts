import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../../shared/workflow/plan';
import { PROJECT_ROOT, runAppvend } from '../support/cli';

const appvend = (...args: string[]) => runAppvend(args);
const freshState = () => join(mkdtempSync(join(tmpdir(), 'appvend-plan-')), 'sandbox.json');

describe('CLI: appvend plan', () => {
  it('is documented in --help', () => {
    // Act
    const { code, stdout } = appvend('--help');

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('appvend plan <request.json>');
    expect(stdout).toContain('plan: 7 to create, 1 to update, 3 to keep');
  });

  it('plans everything as new on a fresh sandbox, step by step, and leaves no state behind', () => {
    // Prepare
    const state = freshState();

    // Act
    const { code, stdout, stderr } = appvend('plan', 'events/application-request.json', '--state', state);

    // Assess
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('Plan for orders:');
    expect(lines).toEqual(
      expect.arrayContaining([
        'EnsureOrganizationalUnit',
        '  + create    OU appvend-orders under r-sbx1',
        '  + create    account orders-tooling <aws+orders-tooling@example.com>',
        '  + create      instance in prod (new account)',
        '  + create    Config recorder in test (new account)',
      ]),
    );
    expect(lines.at(-1)).toBe('plan: 23 to create, 0 to update, 0 to keep');
    expect(stderr).toContain('nothing is changed');
    expect(existsSync(state)).toBe(false);
  });

  it("after a vend of the access sample, marks what a changed request drops of appvend's access to remove", () => {
    // Prepare: on-call's grant and the operations contact dropped
    const state = freshState();
    expect(appvend('vend', 'events/application-request-access.json', '--state', state).code).toBe(0);
    const sample = JSON.parse(
      readFileSync(join(PROJECT_ROOT, 'events/application-request-access.json'), 'utf8'),
    ) as {
      access: unknown[];
      contacts: Record<string, unknown>;
    };
    const changed = join(mkdtempSync(join(tmpdir(), 'appvend-plan-')), 'changed.json');
    writeFileSync(
      changed,
      JSON.stringify({
        ...sample,
        access: sample.access.slice(0, 1),
        contacts: { security: sample.contacts.security },
      }),
    );

    // Act
    const { code, stdout } = appvend('plan', changed, '--state', state);

    // Assess
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('  - remove'))).toEqual([
      expect.stringMatching(
        /^ {2}- remove {4}Identity Center: orders-oncall loses ReadOnlyAccess in prod \d{12} \(no longer asked for\)$/,
      ),
      ...['tooling', 'test', 'prod'].map((stage) =>
        expect.stringMatching(
          new RegExp(
            `^ {2}- remove {4}OPERATIONS alternate contact on ${stage} \\d{12} \\(no longer asked for\\)$`,
          ),
        ),
      ),
    ]);
    expect(lines.at(-1)).toMatch(/ 4 to remove, /);
  });

  it('after a vend, --json prints a plan that keeps everything, and the sandbox state is untouched', () => {
    // Prepare
    const state = freshState();
    expect(appvend('vend', 'events/application-request.json', '--state', state).code).toBe(0);
    const saved = readFileSync(state, 'utf8');

    // Act
    const { code, stdout } = appvend('plan', 'events/application-request.json', '--json', '--state', state);

    // Assess
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as Plan;
    expect(plan.application).toBe('orders');
    expect(plan.counts).toEqual({
      create: 0,
      update: 0,
      attach: 0,
      adopt: 0,
      remove: 0,
      keep: 23,
      unchecked: 0,
    });
    expect(plan.steps.map((s) => s.kind)).toContain('conformance-pack');
    expect(readFileSync(state, 'utf8')).toBe(saved);
  });

  it('shows a changed request as the new stage to create and the stack sets to update', () => {
    // Prepare
    const state = freshState();
    expect(appvend('vend', 'events/application-request.json', '--state', state).code).toBe(0);
    const sample = JSON.parse(
      readFileSync(join(PROJECT_ROOT, 'events/application-request.json'), 'utf8'),
    ) as object;
    const changed = join(mkdtempSync(join(tmpdir(), 'appvend-plan-')), 'changed.json');
    writeFileSync(changed, JSON.stringify({ ...sample, stages: ['test', 'staging', 'prod'] }));

    // Act
    const { code, stdout } = appvend('plan', changed, '--state', state);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('  + create    account orders-staging <aws+orders-staging@example.com>');
    expect(stdout).toMatch(/~ update {4}stack set appvend-orders-pipeline .*\n {6}StageAccountIds: /);
    expect(stdout).toContain('      StageNames: test,prod → test,staging,prod');
    expect(stdout.trim().split('\n').at(-1)).toBe('plan: 5 to create, 4 to update, 19 to keep');
  });

  it('refuses an invalid request with the lines and exit code of validate', () => {
    // Act
    const planned = appvend('plan', 'events/invalid/bad-name-and-stages.json', '--state', freshState());
    const validated = appvend('validate', 'events/invalid/bad-name-and-stages.json');

    // Assess
    expect(planned.code).toBe(1);
    expect(planned.code).toBe(validated.code);
    expect(planned.stderr).toBe(validated.stderr);
    expect(planned.stdout).toBe('');
  });

  it('reports a missing file and a double backend as usage errors (exit 2), like validate', () => {
    // Act
    const missing = appvend('plan', 'events/no-such-request.json');
    const validated = appvend('validate', 'events/no-such-request.json');
    const twoBackends = appvend('plan', 'events/application-request.json', '--sandbox', '--aws');

    // Assess
    expect(missing.code).toBe(2);
    // The same error; each points to its own command's help.
    expect(missing.stderr.split('\n')[0]).toBe(validated.stderr.split('\n')[0]);
    expect(missing.stderr).toContain('Run "appvend plan --help" for usage.');
    expect(twoBackends.code).toBe(2);
    expect(twoBackends.stderr).toContain('choose one of --sandbox, --endpoint URL, --aws');
  });
});
