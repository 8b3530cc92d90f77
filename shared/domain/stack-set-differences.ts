import type { StackSet } from '@aws-sdk/client-cloudformation';
import { digest } from '../templates/template-store';

/** A parameter whose value differs: absent on a side that does not have it. */
export interface ParameterChange {
  key: string;
  /** Absent when the stack set does not have the parameter. */
  current?: string;
  /** Absent when the vend would no longer pass it. */
  wanted?: string;
}

/** Minified JSON, so that formatting alone never counts as a change. */
function minified(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

export interface StackSetDifferences {
  /** True when neither the template nor any parameter differs: nothing to update. */
  upToDate: boolean;
  templateDigest: { current?: string; wanted: string };
  /** Each parameter whose value differs, in key order. */
  parameters: ParameterChange[];
}

/**
 * How a deployed stack set differs from what the vend would deploy: the template (by digest of its
 * minified JSON) and each parameter, with both values. `reconcileStackSet` updates exactly when it
 * is not `upToDate`; the plan shows the differences.
 *
 * @example
 * stackSetDifferences(deployed, { templateBody, parameters: { AppName: 'orders' } }).upToDate;
 */
export function stackSetDifferences(
  deployed: Pick<StackSet, 'TemplateBody' | 'Parameters'>,
  wanted: { templateBody: string; parameters: Record<string, string> },
): StackSetDifferences {
  const currentBody = minified(deployed.TemplateBody);
  const wantedBody = minified(wanted.templateBody)!;
  const current = Object.fromEntries(
    (deployed.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue]),
  );
  const keys = [...new Set([...Object.keys(current), ...Object.keys(wanted.parameters)])].sort();
  const parameters = keys
    .filter((key) => current[key] !== wanted.parameters[key])
    .map((key) => ({
      key,
      ...(current[key] !== undefined && { current: current[key] }),
      ...(wanted.parameters[key] !== undefined && { wanted: wanted.parameters[key] }),
    }));
  const templateDigest = {
    ...(currentBody !== undefined && { current: digest(currentBody) }),
    wanted: digest(wantedBody),
  };
  return {
    upToDate: currentBody === wantedBody && parameters.length === 0,
    templateDigest,
    parameters,
  };
}
