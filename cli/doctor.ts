import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommand } from './commands';
import { connectBackend } from './backends';
import { formatCheck, runDoctorChecks, type CheckResult } from './doctor-checks';
import { applyStackOutputs, describeServiceStack, describeSources, serviceStackName } from './stack-outputs';

/** `appvend doctor`: the deployment's prerequisites, one line each; exit 1 when a vend would stop. */
export async function doctorCommand(args: string[]): Promise<number> {
  const { values, kind: chosen } = parseCommand('doctor', args);
  const kind = chosen!;
  // Nothing is written: no ledger, no emulator resources, no saved sandbox state. --fresh reads a
  // new organization (a state file that does not exist) and leaves --state's file alone.
  const stateFile = values.fresh
    ? join(tmpdir(), `appvend-doctor-${process.pid}`, 'sandbox.json')
    : values.state!;
  connectBackend({ kind, endpoint: values.endpoint, stateFile, region: values.region });
  const stackName = serviceStackName();
  let stack = null;
  if (kind !== 'sandbox') {
    stack = await describeServiceStack(stackName);
    process.stderr.write(describeSources(stackName, stack && applyStackOutputs(stack.outputs)));
  }
  const results: CheckResult[] = await runDoctorChecks({ stack, stackName });
  process.stdout.write(
    values.json ? `${JSON.stringify(results, null, 2)}\n` : `${results.map(formatCheck).join('\n')}\n`,
  );
  return results.some((r) => r.status === 'missing') ? 1 : 0;
}
