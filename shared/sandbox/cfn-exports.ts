import { membersBy } from './atomic';
import { parseTemplate, resolve, type StackEnvironment } from './cfn-template';
import type { SandboxStateJson, StackInstanceState } from './state';
import { instancesByPlace, placeKey } from './state-indexes';

/**
 * Cross-stack references between the stacks StackSets made: an output's `Export` is visible to the
 * other stacks of its account and Region, which read it with `Fn::ImportValue`. CloudFormation
 * refuses a stack that imports a name nobody exports, and the deletion of a stack whose export
 * another stack still imports ("After another stack imports an output value, you can't delete the
 * stack that is exporting the output value").
 */

/** The stack's name as StackSets named it (from its id), for `${AWS::StackName}`. */
type StackNameOf = (instance: StackInstanceState) => string;

function envOf(instance: StackInstanceState, stackName: StackNameOf): StackEnvironment | undefined {
  if (!instance.deployed) return undefined;
  return {
    accountId: instance.account,
    region: instance.region,
    stackName: stackName(instance),
    parameters: instance.deployed.parameters,
  };
}

/** The export names a template declares, resolved for one stack. */
export function exportNames(templateBody: string, env: StackEnvironment): string[] {
  const outputs = (JSON.parse(templateBody) as { Outputs?: Record<string, { Export?: { Name?: unknown } }> })
    .Outputs;
  const template = parseTemplate(templateBody);
  return Object.values(outputs ?? {}).flatMap((output) => {
    const name = output.Export === undefined ? undefined : resolve(output.Export.Name, env, template);
    return name === undefined ? [] : [name];
  });
}

/** The names a template's resources import with Fn::ImportValue, resolved for one stack. */
export function importNames(templateBody: string, env: StackEnvironment): string[] {
  const template = parseTemplate(templateBody);
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Fn::ImportValue') {
        const name = resolve(inner, env, template);
        if (name !== undefined) names.add(name);
      } else visit(inner);
    }
  };
  visit(template.resources);
  return [...names];
}

/** The other deployed stacks of the account and Region, with their exports and imports. */
function neighbours(state: SandboxStateJson, instance: StackInstanceState, stackName: StackNameOf) {
  const others = membersBy(
    state.stackInstances,
    instancesByPlace,
    placeKey(instance.account, instance.region),
  ).filter((other) => other.key !== instance.key && other.deployed !== undefined);
  return others.flatMap((other) => {
    const env = envOf(other, stackName);
    if (!env) return [];
    const body = other.deployed!.templateBody;
    return [{ name: env.stackName, exports: exportNames(body, env), imports: importNames(body, env) }];
  });
}

/** Why a stack that would run this template cannot: it imports a name no other stack exports. */
export function missingImport(
  state: SandboxStateJson,
  instance: StackInstanceState,
  templateBody: string,
  env: StackEnvironment,
  stackName: StackNameOf,
): string | undefined {
  const exported = new Set(neighbours(state, instance, stackName).flatMap((n) => n.exports));
  const missing = importNames(templateBody, env).find((name) => !exported.has(name));
  return missing && `No export named ${missing} found. Rollback requested by user.`;
}

/** Why a stack cannot be deleted: another stack still imports one of its exports. */
export function exportInUse(
  state: SandboxStateJson,
  instance: StackInstanceState,
  stackName: StackNameOf,
): string | undefined {
  const env = envOf(instance, stackName);
  if (!env) return undefined;
  const own = exportNames(instance.deployed!.templateBody, env);
  for (const other of neighbours(state, instance, stackName)) {
    const used = own.find((name) => other.imports.includes(name));
    if (used) return `Export ${used} cannot be deleted as it is in use by ${other.name}`;
  }
  return undefined;
}
