import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients } from '../../shared/aws/client-factory';
import { readEnvironment } from '../../shared/workflow/settings';
import { PlanEnv, planSettingsFrom, planVend } from '../../shared/workflow/plan';
import { sandboxWorld } from '../support/workflow';

const sample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as Record<string, unknown>;

describe("Workflow: plan checks the organization's account quota", () => {
  afterEach(() => {
    delete process.env.APPVEND_ACCOUNT_QUOTA;
  });

  it('shows a blocker when the new accounts do not fit, and none when they do', async () => {
    // Prepare: the sample needs 3 new accounts
    const world = sandboxWorld();
    const existing = world.sandbox.accounts().length;
    const plan = async (quota: number) => {
      process.env.APPVEND_ACCOUNT_QUOTA = String(quota);
      return planVend(
        awsClients(),
        sample,
        planSettingsFrom(readEnvironment(PlanEnv), { memberReads: false }),
      );
    };

    // Act
    const tight = await plan(existing + 2);
    const enough = await plan(existing + 3);

    // Assess
    expect(tight.blockers).toEqual([
      {
        step: 'VendAccounts',
        message:
          `the organization has ${existing} accounts (closed ones count until AWS removes them) and its quota is ` +
          `${existing + 2}: the 3 new accounts do not fit. Ask AWS for more through Service Quotas, then set APPVEND_ACCOUNT_QUOTA`,
      },
    ]);
    expect(enough.blockers).toEqual([]);
  });

  it("defaults to AWS's 10 accounts", () => {
    expect(planSettingsFrom(readEnvironment(PlanEnv), { memberReads: false }).accountQuota).toBe(10);
  });
});
