/**
 * Jest runs TypeScript transpiled by esbuild, without type-checking (`npm run typecheck`, part of
 * `npm run lint`, does that once): see test/setup/esbuild-transform.js. The fault matrices over
 * whole vends run behind `npm run test:matrices` instead (test/setup/matrix-suites.js).
 */
const matrixSuites = require('./test/setup/matrix-suites');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...matrixSuites],
  setupFiles: [
    '<rootDir>/test/setup/polyfills.ts',
    '<rootDir>/test/setup/cdk-validation.ts',
    '<rootDir>/test/setup/caller-identity.ts',
  ],
  // One moto server per worker, started once for the run and lent to one moto suite at a time,
  // and the state machine definitions, synthesized and validated once for the run.
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  transform: {
    '^.+\\.[tj]sx?$': '<rootDir>/test/setup/esbuild-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  testTimeout: 60000,
};
