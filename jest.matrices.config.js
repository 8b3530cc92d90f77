/** `npm run test:matrices`: only the fault matrices that `npm test` leaves out (test/setup/matrix-suites.js). */
const base = require('./jest.config');
const matrixSuites = require('./test/setup/matrix-suites');

module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  // Exactly the listed files (<rootDir> resolved by jest).
  testMatch: matrixSuites.map((suite) => suite.replace('<rootDir>/', '**/')),
};
