/**
 * The service stack's stack sets in each layout (issue 18 items 2 and 4): the two-account layout
 * deploys service-managed stack sets, called from the platform account as the StackSets delegated
 * administrator, on stack sets that live in the management account; one-account mode keeps
 * self-managed ones unless told otherwise; self-managed in the two-account layout is refused at
 * synth. cdk-nag runs at every synth here (a finding nobody acknowledged fails it) and cfn-lint
 * checks the two-account templates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MANAGEMENT_STACK_NAME,
  SERVICE_STACK_NAME,
  buildServiceApp,
  synthesizeServiceApp,
} from '../../infra/service';
import { functionName } from '../../infra/workflow/step-functions';
import { blockingFindings, cfnLint, type Loose } from '../templates/helpers';

const MANAGEMENT = '999999999999';
const PLATFORM = '888888888888';
const STACK_SET_FUNCTIONS = ['deploy-stack-set', 'check-stack-set-operation', 'remove-stack-set'];

/** Synthesizes the app with these context values, without bundling; returns both templates. */
function synth(context: Record<string, string>): { service: Loose; management: Loose } {
  const outdir = mkdtempSync(join(tmpdir(), 'appvend-two-account-'));
  try {
    const { app } = buildServiceApp({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...context } });
    const assembly = synthesizeServiceApp(app);
    return {
      service: assembly.getStackByName(SERVICE_STACK_NAME).template as Loose,
      management: assembly.getStackByName(MANAGEMENT_STACK_NAME).template as Loose,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** A function's environment and its own role's statements, by the function's short name. */
function functionOf(template: Loose, name: string): { env: Record<string, Loose>; statements: Loose[] } {
  const resources = template.Resources as Record<string, Loose>;
  const fn = Object.values(resources).find(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === functionName(name as never),
  );
  if (!fn) throw new Error(`No function ${name}`);
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const statements = Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as Loose[]).some((ref) => ref.Ref === roleId),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Loose[]);
  return { env: fn.Properties.Environment.Variables as Record<string, Loose>, statements };
}

const actionsOf = (statements: Loose[]) => statements.flatMap((s) => [s.Action].flat() as string[]);
const stackSetResources = (statements: Loose[]) =>
  statements
    .filter((s) =>
      actionsOf([s]).some((a) => a.startsWith('cloudformation:') && /StackSet|StackInstances/.test(a)),
    )
    .flatMap((s) => [s.Resource].flat())
    .map((r) => JSON.stringify(r));

describe('Stack: the stack sets of each layout', () => {
  describe('the two-account layout (service-managed, the default there)', () => {
    let templates: { service: Loose; management: Loose };

    beforeAll(() => {
      templates = synth({ managementAccountId: MANAGEMENT, serviceAccountId: PLATFORM });
    });

    it('tells the functions that deploy, follow, remove and plan stack sets the mode and the management account', () => {
      // Act
      const envs = ['deploy-stack-set', 'remove-stack-set', 'portal-api', 'reconcile-drift'].map(
        (name) => functionOf(templates.service, name).env,
      );

      // Assess
      for (const env of envs) {
        expect(env).toMatchObject({
          APPVEND_STACKSETS_MODE: 'SERVICE_MANAGED',
          APPVEND_MANAGEMENT_ACCOUNT_ID: MANAGEMENT,
        });
      }
      expect((templates.service.Outputs as Record<string, Loose>).StackSetsMode.Value).toBe(
        'SERVICE_MANAGED',
      );
    });

    it('makes no StackSets administration role and passes none: service-managed stack sets use StackSets’ own roles', () => {
      // Act
      const roles = Object.values(templates.service.Resources as Record<string, Loose>)
        .filter((r) => r.Type === 'AWS::IAM::Role')
        .map((r) => r.Properties.RoleName as string);
      const deploy = functionOf(templates.service, 'deploy-stack-set');

      // Assess
      expect(roles).not.toContain('appvend-stackset-administration');
      expect(actionsOf(deploy.statements)).not.toContain('iam:PassRole');
      expect(
        (templates.service.Outputs as Record<string, Loose>).StackSetAdministrationRoleName,
      ).toBeUndefined();
    });

    it("scopes every stack set permission to appvend's stack sets in the management account, where service-managed stack sets live", () => {
      for (const name of STACK_SET_FUNCTIONS) {
        // Act
        const resources = stackSetResources(functionOf(templates.service, name).statements);

        // Assess
        expect(resources.length).toBeGreaterThan(0);
        for (const resource of resources) {
          if (resource === '"*"' || resource.includes('::type/resource/AWS-*')) continue;
          expect({ name, resource }).toEqual({
            name,
            resource: expect.stringMatching(new RegExp(`:${MANAGEMENT}:stackset(-target)?/appvend-\\*`)),
          });
        }
      }
    });

    it('gives the stack set functions organizations:ListDelegatedAdministrators on their own role, and no other Organizations action', () => {
      // Act
      const organizations = (name: string) =>
        actionsOf(functionOf(templates.service, name).statements).filter((a) =>
          a.startsWith('organizations:'),
        );

      // Assess
      for (const name of [...STACK_SET_FUNCTIONS, 'portal-api', 'reconcile-drift']) {
        expect({ name, actions: organizations(name) }).toEqual({
          name,
          actions: ['organizations:ListDelegatedAdministrators'],
        });
      }
      // Nor does the management stack carry it: it is the delegated administrator's own.
      expect(JSON.stringify(templates.management)).not.toContain('ListDelegatedAdministrators');
      // A function that makes no stack set call has none.
      expect(organizations('move-account')).toEqual([]);
    });

    it('passes cfn-lint with no error and no warning but W3005', () => {
      // Act
      const findings = cfnLint({ service: templates.service, management: templates.management });

      // Assess
      expect(blockingFindings(findings)).toEqual([]);
    });
  });

  it('keeps self-managed stack sets in one-account mode by default: the administration role here, stack sets of this account, no delegated administrator', () => {
    // Act
    const { service } = synth({});
    const deploy = functionOf(service, 'deploy-stack-set');

    // Assess
    expect(deploy.env.APPVEND_STACKSETS_MODE).toBe('SELF_MANAGED');
    expect(actionsOf(deploy.statements)).toContain('iam:PassRole');
    expect(actionsOf(deploy.statements).filter((a) => a.startsWith('organizations:'))).toEqual([]);
    const stackSets = stackSetResources(deploy.statements).filter((r) => r.includes('stackset/'));
    expect(stackSets.length).toBeGreaterThan(0);
    expect(stackSets.filter((r) => !r.includes(':${AWS::AccountId}:stackset/appvend-*'))).toEqual([]);
  });

  it('deploys service-managed stack sets in one-account mode when asked: called as SELF, so no delegated administrator permission', () => {
    // Act
    const { service } = synth({ stackSetsMode: 'SERVICE_MANAGED' });
    const deploy = functionOf(service, 'deploy-stack-set');

    // Assess
    expect(deploy.env.APPVEND_STACKSETS_MODE).toBe('SERVICE_MANAGED');
    expect(actionsOf(deploy.statements)).not.toContain('iam:PassRole');
    expect(actionsOf(deploy.statements).filter((a) => a.startsWith('organizations:'))).toEqual([]);
  });

  it('refuses self-managed stack sets in the two-account layout, naming why and the fix', () => {
    // Act
    const error = (() => {
      try {
        synth({ managementAccountId: MANAGEMENT, serviceAccountId: PLATFORM, stackSetsMode: 'SELF_MANAGED' });
        return undefined;
      } catch (caught) {
        return caught as Error;
      }
    })();

    // Assess
    expect(error?.message).toMatch(/stackSetsMode SELF_MANAGED does not work in the two-account layout/);
    expect(error?.message).toMatch(/trusts the management account only/);
    expect(error?.message).toMatch(/delegated administrator/);
  });

  it('refuses a stack sets mode it does not know, naming the key', () => {
    expect(() => synth({ stackSetsMode: 'MANAGED' })).toThrow(/context stackSetsMode/);
  });
});
