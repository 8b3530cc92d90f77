import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendKind, parseBackendCommand, UsageError } from './args';
import { connectBackend } from './backends';
import { formatCheck, runDoctorChecks, type CheckResult } from './doctor-checks';
import { applyStackOutputs, describeServiceStack, describeSources, serviceStackName } from './stack-outputs';

export const DOCTOR_USAGE = `  appvend doctor [--sandbox | --endpoint URL | --aws] [--json] [--state FILE] [--fresh] [--region R]
      Check the prerequisites of docs/deploy.md, read-only (Describe*, List*, Get* calls; the
      sandbox's state is not saved): the caller is the management account; all features and the
      SCP policy type are enabled; the parent OU exists; the suspended OU exists with a deny-all
      SCP; the account quota has room for a vend; the Config delivery bucket's policy lets member
      accounts' recorder roles deliver; AWS RAM sharing within the organization is enabled; and,
      on --aws or --endpoint, the service stack (${'$'}APPVEND_STACK_NAME, default AppvendService)
      and its outputs, which then give the settings checked. One line each: ok, MISSING (a vend
      would stop), WARN (a vend goes through, something else does not: offboarding, the
      pipeline's connection) or info, with the command that fixes it. Exit 1 when anything is
      MISSING. --fresh (sandbox only) checks a new sandbox organization instead of --state's.
`;

/** `appvend doctor`: the deployment's prerequisites, one line each; exit 1 when a vend would stop. */
export async function doctorCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseBackendCommand(args, { fresh: { type: 'boolean' } });
  if (positionals.length > 0)
    throw new UsageError(`doctor takes no arguments (got ${positionals.join(' ')})`);
  const kind = backendKind(values);
  if (values.fresh && kind !== 'sandbox') throw new UsageError('--fresh applies to the sandbox only');
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
