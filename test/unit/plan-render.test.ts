import { countActions, type Plan, type PlanStep } from '../../shared/workflow/plan';
import { countLine, renderPlan } from '../../shared/workflow/plan/render';

const steps: PlanStep[] = [
  {
    kind: 'organizational-unit',
    step: 'EnsureOrganizationalUnit',
    action: 'keep',
    name: 'appvend-orders',
    parentId: 'r-ab12',
    id: 'ou-ab12-11111111',
  },
  {
    kind: 'service-control-policy',
    step: 'EnsureServiceControlPolicy',
    action: 'update',
    name: 'appvend-orders-guardrails',
    id: 'p-12345678',
    size: 2737,
    attached: false,
    diff: '--- a (current)\n+++ a (wanted)\n@@ -1 +1 @@\n-{}\n+{"Version":"2012-10-17"}',
  },
  {
    kind: 'account',
    step: 'VendAccounts',
    action: 'adopt',
    stage: 'test',
    name: 'orders-test',
    email: 'aws+orders-test@example.com',
    id: '222222222222',
    parentId: 'r-ab12',
  },
  {
    kind: 'account',
    step: 'VendAccounts',
    action: 'create',
    stage: 'prod',
    name: 'orders-prod',
    email: 'aws+orders-prod@example.com',
  },
  {
    kind: 'connection-share',
    step: 'DeployStackSets',
    action: 'create',
    name: 'appvend-orders-connection',
    connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0f1e2d3c',
  },
  {
    kind: 'stack-set',
    step: 'DeployStackSets',
    action: 'update',
    template: 'pipeline',
    name: 'appvend-orders-pipeline',
    templateDigest: { current: 'aaaaaaaaaaaaaaaa', wanted: 'bbbbbbbbbbbbbbbb' },
    parameters: [
      { key: 'StageCount', current: '1', wanted: '2' },
      { key: 'Gone', current: 'x' },
    ],
  },
  {
    kind: 'stack-instance',
    step: 'DeployStackSets',
    action: 'update',
    stackSet: 'appvend-orders-pipeline',
    stage: 'tooling',
    accountId: '111122223333',
    status: 'CURRENT',
  },
  {
    kind: 'config-recorder',
    step: 'DeployStackSets',
    action: 'unchecked',
    stage: 'test',
    accountId: '222222222222',
  },
  {
    kind: 'conformance-pack',
    step: 'DeployStackSets',
    action: 'create',
    name: 'appvend-orders-guardrails',
    stage: 'prod',
    digest: { wanted: 'cccccccccccccccc' },
  },
];

const plan: Plan = {
  application: 'orders',
  steps,
  counts: countActions(steps),
  blockers: [{ step: 'VendAccounts', message: 'Account 222222222222 with email x is SUSPENDED' }],
  notes: ['Guardrails were not checked: test.'],
};

describe('Plan: renderPlan', () => {
  const lines = renderPlan(plan).split('\n');

  it('prints each thing under the step that does it, marked with its action', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        'Plan for orders:',
        'EnsureOrganizationalUnit',
        '  = keep      OU appvend-orders ou-ab12-11111111 under r-ab12',
        '  ~ update    SCP appvend-orders-guardrails p-12345678 (2737 characters), then attach it to the OU',
        '  > adopt     account orders-test 222222222222 <aws+orders-test@example.com>: in r-ab12 now, will be moved into the OU',
        '  + create    account orders-prod <aws+orders-prod@example.com>',
        '  + create    share the connection with tooling (new account) through AWS RAM: appvend-orders-connection',
        '  ~ update      instance in tooling 111122223333 (CURRENT)',
        '  ? unchecked Config recorder in test 222222222222',
        '  + create    conformance pack appvend-orders-guardrails in prod (new account)',
      ]),
    );
    expect(
      lines.filter((l) => /^[A-Z]/.test(l) && !l.startsWith('Plan') && !l.startsWith('Guardrails')),
    ).toEqual([
      'EnsureOrganizationalUnit',
      'EnsureServiceControlPolicy',
      'VendAccounts',
      'DeployStackSets',
      'The vend would stop:',
    ]);
  });

  it('prints the SCP diff and the stack set changes indented under their lines', () => {
    const scp = lines.findIndex((l) => l.includes('SCP appvend-orders-guardrails'));
    expect(lines.slice(scp + 1, scp + 6)).toEqual([
      '      --- a (current)',
      '      +++ a (wanted)',
      '      @@ -1 +1 @@',
      '      -{}',
      '      +{"Version":"2012-10-17"}',
    ]);
    const stackSet = lines.findIndex((l) => l.includes('stack set appvend-orders-pipeline'));
    expect(lines.slice(stackSet + 1, stackSet + 4)).toEqual([
      '      template aaaaaaaaaaaaaaaa → bbbbbbbbbbbbbbbb',
      '      StageCount: 1 → 2',
      '      Gone: x → (not set)',
    ]);
  });

  it('ends with the blockers, the notes and the count line', () => {
    expect(lines.slice(-7)).toEqual([
      'The vend would stop:',
      '  ! VendAccounts: Account 222222222222 with email x is SUSPENDED',
      '',
      'Guardrails were not checked: test.',
      '',
      'plan: 3 to create, 3 to update, 1 to adopt, 1 to keep, 1 not checked',
      '',
    ]);
  });
});

describe('Plan: countLine', () => {
  it('always names create, update and keep, and the other actions when they occur', () => {
    const none = { create: 0, update: 0, attach: 0, adopt: 0, remove: 0, keep: 0, unchecked: 0 };
    expect(countLine({ ...none, create: 7, update: 1, keep: 3 })).toBe(
      'plan: 7 to create, 1 to update, 3 to keep',
    );
    expect(countLine({ ...none, attach: 1, adopt: 2, keep: 19, unchecked: 6 })).toBe(
      'plan: 0 to create, 0 to update, 1 to attach, 2 to adopt, 19 to keep, 6 not checked',
    );
    expect(countLine({ ...none, remove: 2, keep: 4 })).toBe(
      'plan: 0 to create, 0 to update, 2 to remove, 4 to keep',
    );
  });
});
