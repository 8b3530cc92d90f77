// `npm run faults`: builds the templates and the state machine, bundles the fault-injection matrix
// (test/faults/main.ts) and runs it. Options go to the matrix (`npm run faults -- --help`);
// `--no-build` skips the build when dist/ is known to be current.
import { runBundled } from './run-bundled.mjs';

await runBundled({
  entryPoint: 'test/faults/main.ts',
  name: 'appvend-faults',
  rootVariable: 'APPVEND_FAULTS_ROOT',
  skipBuildFor: ['--help', '-h'],
});
