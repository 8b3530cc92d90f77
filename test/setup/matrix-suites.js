/**
 * The fault matrices over whole vends and offboardings: each cell is a vend (or an offboarding)
 * under one fault, then its resume, so they are the longest suites by far. `npm test` leaves them
 * out (jest.config.js) and `npm run test:matrices` runs them (jest.matrices.config.js); CI runs
 * both, as it runs the sandbox's full matrix (`npm run faults`).
 */
module.exports = [
  '<rootDir>/test/moto/faults-moto.test.ts',
  '<rootDir>/test/workflow/offboard-faults.test.ts',
];
