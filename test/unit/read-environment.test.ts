import { ClosureEnv, SuspendedOuEnv } from '../../shared/workflow/offboard/settings';
import { GuardrailsEnv, PolicyEnv, StackSetEnv, readEnvironment } from '../../shared/workflow/settings';

describe('Function: readEnvironment', () => {
  it('applies defaults and turns numbers written as strings into numbers', () => {
    const env = readEnvironment({ ...PolicyEnv, ...ClosureEnv }, { APPVEND_SCP_SIZE_QUOTA: '10240' });

    expect(env).toEqual({
      APPVEND_SCP_SIZE_QUOTA: 10240,
      APPVEND_SCP_ATTACHMENT_QUOTA: 5,
      APPVEND_CLOSURE_SHARE: 0.1,
      // The roles the SCP exempts and protects
      APPVEND_MEMBER_ROLE: 'OrganizationAccountAccessRole',
      APPVEND_STACKSET_EXECUTION_ROLE_NAME: 'OrganizationAccountAccessRole',
      // Which execution role that is: the configured one (self-managed) or stacksets-exec-*.
      APPVEND_STACKSETS_MODE: 'SELF_MANAGED',
    });
  });

  it('names each variable and the rule it breaks, in English', () => {
    const read = () =>
      readEnvironment(
        { ...PolicyEnv, ...GuardrailsEnv, ...SuspendedOuEnv, ...ClosureEnv },
        {
          APPVEND_SCP_SIZE_QUOTA: '1.5',
          APPVEND_CONFIG_BUCKET: 'ab',
          APPVEND_SUSPENDED_OU_ID: 'r-root',
          APPVEND_CLOSURE_SHARE: '2',
        },
      );

    expect(read).toThrow(
      'Invalid environment: APPVEND_SCP_SIZE_QUOTA: Invalid input: expected int, received number; ' +
        'APPVEND_CONFIG_BUCKET: Too small: expected string to have >=3 characters; ' +
        'APPVEND_SUSPENDED_OU_ID: must be an OU id; APPVEND_CLOSURE_SHARE: must be at most 1',
    );
  });

  it('says which required variable is missing', () => {
    expect(() => readEnvironment(StackSetEnv, { APPVEND_NOTIFICATION_TOPIC_ARN: 'x' })).toThrow(
      /APPVEND_MANAGEMENT_ACCOUNT_ID: Invalid input: expected string, received undefined; APPVEND_NOTIFICATION_TOPIC_ARN: must be an SNS topic ARN/,
    );
  });
});
