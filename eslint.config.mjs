import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'cdk.out/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Handlers and shared code are bundled into Lambdas: they must never pull in the CDK.
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['services/**/*.ts', 'shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag'],
              message: 'Lambda code must not import the CDK.',
            },
            {
              group: ['**/infra/**', '../infra/*', '../../infra/*'],
              message: 'Imports flow services -> shared <- infra.',
            },
            { group: ['**/cli/**'], message: 'Lambda code must not import the CLI.' },
          ],
        },
      ],
    },
  },
  {
    files: ['services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
              message: 'Lambda code must not import the CDK.',
            },
            {
              group: ['**/sandbox', '**/sandbox/**'],
              message: 'Handlers reach the sandbox only through the client factory.',
            },
            { group: ['**/infra/**'], message: 'Imports flow services -> shared <- infra.' },
          ],
        },
      ],
    },
  },
);
