import { ClosureEnv, SuspendedOuEnv } from '../../shared/workflow/offboard/settings';
import { environmentSchema } from '../../shared/workflow/environment-schema';
import {
  choice,
  count,
  flag,
  share,
  withDefault,
  type EnvironmentShape,
} from '../../shared/workflow/environment-variables';
import { PlanEnv } from '../../shared/workflow/plan';
import {
  GuardrailsEnv,
  IntakeEnv,
  LedgerEnv,
  OutcomeEnv,
  PolicyEnv,
  StackSetEnv,
  readEnvironment,
} from '../../shared/workflow/settings';

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

describe('Function: readEnvironment agrees with the synth-time schema', () => {
  // Every variable any handler declares, and values that hit each rule's edges: the reader the
  // handlers run and the Zod schema the CDK construct checks with must accept and refuse alike,
  // with the same words.
  const declared = {
    ...PlanEnv,
    ...PolicyEnv,
    ...GuardrailsEnv,
    ...SuspendedOuEnv,
    ...ClosureEnv,
    ...StackSetEnv,
  };
  const shapes: [string, EnvironmentShape][] = [
    ...Object.entries(declared).map(([name, variable]): [string, EnvironmentShape] => [
      name,
      { [name]: variable },
    ]),
    ['LEDGER', LedgerEnv],
    ['OUTCOME', OutcomeEnv],
    ['INTAKE', IntakeEnv],
    ['APPLY', { APPVEND_RECONCILE_APPLY: withDefault(flag(), false) }],
    ['REQUIRED_CHOICE', { MODE: choice(['A', 'B']) }],
    ['REQUIRED_COUNT', { PAGES: count() }],
    ['REQUIRED_SHARE', { SHARE: share() }],
  ];
  const values = [
    undefined,
    '',
    ' ',
    '0',
    '1',
    '1.5',
    '-1.5',
    ' 7 ',
    '0x10',
    '1e3',
    'Infinity',
    'NaN',
    '2',
    '0.25',
    'true',
    'false',
    'yes',
    'A',
    'SERVICE_MANAGED',
    'ab',
    'abc',
    'x'.repeat(300),
    '123456789012',
    'r-abcd',
    'ou-abcd-abcdefgh',
    'arn:aws:sns:us-east-1:123456789012:vends',
    'arn:aws:states:us-east-1:123456789012:stateMachine:vend',
    'arn:aws:sso:::instance/ssoins-1234567890abcdef',
  ];

  it.each(shapes)('%s', (_label, shape) => {
    for (const name of Object.keys(shape)) {
      for (const value of values) {
        const env = value === undefined ? {} : { [name]: value };
        const parsed = environmentSchema({ [name]: shape[name]! }).safeParse(env);
        const expected = parsed.success
          ? { ok: parsed.data }
          : { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
        let actual;
        try {
          actual = { ok: readEnvironment({ [name]: shape[name]! }, env) };
        } catch (error) {
          actual = { error: (error as Error).message.replace(/^Invalid environment: /, '') };
        }
        expect({ name, value, ...actual }).toEqual({ name, value, ...expected });
      }
    }
  });
});
