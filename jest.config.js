/** Jest runs TypeScript through ts-jest without type-checking (`npm run typecheck` does that once). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup/polyfills.ts'],
  // One moto server per worker, started once for the run and lent to one moto suite at a time.
  globalSetup: '<rootDir>/test/setup/moto-pool.ts',
  globalTeardown: '<rootDir>/test/setup/moto-pool-teardown.ts',
  transform: {
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', isolatedModules: true }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  testTimeout: 60000,
};
