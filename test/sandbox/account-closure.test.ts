import {
  CloseAccountCommand,
  CreatePolicyCommand,
  AttachPolicyCommand,
  DeletePolicyCommand,
  DescribeAccountCommand,
} from '@aws-sdk/client-organizations';
import { CLOSURE_PROCESSING_MS, CLOSURE_WINDOW_MS } from '../../shared/sandbox/org-account-closure';
import { failure, vendAccounts, world } from './support';

describe('Class: Sandbox — CloseAccount', () => {
  it('closes an account: PENDING_CLOSURE at once, SUSPENDED once AWS has processed it', async () => {
    // Prepare
    const w = world();
    const [account] = await vendAccounts(w, 1);

    // Act
    await w.organizations.send(new CloseAccountCommand({ AccountId: account }));
    const pending = await w.organizations.send(new DescribeAccountCommand({ AccountId: account }));
    w.clock.advance(CLOSURE_PROCESSING_MS);
    const later = await w.organizations.send(new DescribeAccountCommand({ AccountId: account }));

    // Assess
    expect(pending.Account).toMatchObject({ State: 'PENDING_CLOSURE' });
    expect(later.Account).toMatchObject({ State: 'SUSPENDED' });
  });

  it('refuses to close an account twice with AccountAlreadyClosedException', async () => {
    // Prepare
    const w = world();
    const [account] = await vendAccounts(w, 1);
    await w.organizations.send(new CloseAccountCommand({ AccountId: account }));

    // Act
    const error = await failure(w.organizations.send(new CloseAccountCommand({ AccountId: account })));

    // Assess
    expect(error.name).toBe('AccountAlreadyClosedException');
  });

  it('refuses the closure over the rolling 30-day quota with CLOSE_ACCOUNT_QUOTA_EXCEEDED', async () => {
    // Prepare
    const w = world({ closeAccountQuota: 2 });
    const [a, b, c] = await vendAccounts(w, 3);
    await w.organizations.send(new CloseAccountCommand({ AccountId: a }));
    await w.organizations.send(new CloseAccountCommand({ AccountId: b }));

    // Act
    const refused = await failure(w.organizations.send(new CloseAccountCommand({ AccountId: c })));
    w.clock.advance(CLOSURE_WINDOW_MS);
    await w.organizations.send(new CloseAccountCommand({ AccountId: c }));

    // Assess
    expect(refused).toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'CLOSE_ACCOUNT_QUOTA_EXCEEDED',
    });
    expect(w.sandbox.accounts().find((x) => x.id === c)?.status).toBe('PENDING_CLOSURE');
  });

  it("applies AWS's default quota: at least 10 closures in 30 days", async () => {
    // Prepare
    const w = world({ createAccountQuota: 20 });
    const accounts = await vendAccounts(w, 11);

    // Act
    for (const id of accounts.slice(0, 10)) {
      await w.organizations.send(new CloseAccountCommand({ AccountId: id }));
    }
    const refused = await failure(w.organizations.send(new CloseAccountCommand({ AccountId: accounts[10] })));

    // Assess
    expect(refused.name).toBe('ConstraintViolationException');
  });

  it('refuses to close the management account', async () => {
    // Prepare
    const w = world();
    const management = w.sandbox.organization().MasterAccountId;

    // Act
    const error = await failure(w.organizations.send(new CloseAccountCommand({ AccountId: management })));

    // Assess
    expect(error.name).toBe('ConstraintViolationException');
  });

  it('refuses DeletePolicy while the policy is attached', async () => {
    // Prepare
    const w = world();
    const [account] = await vendAccounts(w, 1);
    const { Policy } = await w.organizations.send(
      new CreatePolicyCommand({
        Name: 'p',
        Description: 'd',
        Type: 'SERVICE_CONTROL_POLICY',
        Content: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'ec2:*', Resource: '*' }],
        }),
      }),
    );
    const policyId = Policy!.PolicySummary!.Id!;
    await w.organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: account }));

    // Act
    const error = await failure(w.organizations.send(new DeletePolicyCommand({ PolicyId: policyId })));

    // Assess
    expect(error.name).toBe('PolicyInUseException');
  });
});
