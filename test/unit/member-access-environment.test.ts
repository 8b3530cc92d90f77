import { memberAccessEnvironment } from '../../infra/service/appvend-function';
import { MEMBER_ACCESS_SID, type StepPermission } from '../../infra/service/step-permissions';
import { MEMBER_ACCESS_STEPS } from '../../shared/domain/member-access';

const assumeMemberAccess: StepPermission = {
  sid: MEMBER_ACCESS_SID,
  actions: ['sts:AssumeRole'],
  resources: ['arn:${AWS::Partition}:iam::*:role/appvend-member-access'],
};
const ledger: StepPermission = { sid: 'Ledger', actions: ['dynamodb:GetItem'], resources: ['*'] };

describe('Function: memberAccessEnvironment', () => {
  it.each(MEMBER_ACCESS_STEPS)(
    'tells %s, which may assume the member access role, to enter through it',
    (step) => {
      // Act
      const environment = memberAccessEnvironment(step, [ledger, assumeMemberAccess]);

      // Assess
      expect(environment).toEqual({ APPVEND_MEMBER_ACCESS_ROLE: 'appvend-member-access' });
    },
  );

  it('gives nothing to a function without the permission', () => {
    // Act
    const environment = memberAccessEnvironment('register-guardrails', [ledger]);

    // Assess
    expect(environment).toBeUndefined();
  });

  it("fails the synth for a function the role's trust does not name, naming the list to add it to", () => {
    // Act
    const act = () => memberAccessEnvironment('move-account', [assumeMemberAccess]);

    // Assess
    expect(act).toThrow(
      /move-account may assume appvend-member-access, whose trust names only register-guardrails.*MEMBER_ACCESS_STEPS/,
    );
  });
});
