// `npm run bench`: builds what the CLI runs (state machine, templates, CLI bundle), bundles the
// benchmark and runs it. Options go to bench/main.ts (`npm run bench -- --help`); `--no-build`
// skips the build when dist/ is known to be current.
import { runBundled } from './run-bundled.mjs';

await runBundled({
  entryPoint: 'bench/main.ts',
  name: 'appvend-bench',
  rootVariable: 'APPVEND_BENCH_ROOT',
  skipBuildFor: ['--help', '-h', '--render'],
});
