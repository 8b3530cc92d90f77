/**
 * The keys that let one vend be followed across the functions: the application, the request id and
 * the execution, read from what the invocation was given. Every task of both state machines sends
 * `correlation: { execution, requestId? }` (from the context object and the execution's input:
 * `infra/workflow/tasks.ts`); the application, and the request id where the input lacks it (an
 * offboarding's target), come from the payload itself. Absent keys are left out, never guessed.
 */
export interface CorrelationKeys {
  application?: string;
  requestId?: string;
  execution?: string;
}

type Bag = Record<string, unknown> | undefined;

const object = (value: unknown): Bag =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** `{name}-{stage}`, the account name appvend gives (shared/domain/naming.ts), less its stage. */
function applicationOfAccount(account: Bag): string | undefined {
  const name = text(account?.name);
  const stage = text(account?.stage);
  return name && stage && name.endsWith(`-${stage}`) ? name.slice(0, -(stage.length + 1)) : undefined;
}

/** `appvend-<application>-<template>`, the stack sets' names. */
const STACK_SET = /^appvend-(.+)-(artifact-store|cross-account-roles|guardrails|pipeline)$/;

function applicationOf(input: Bag): string | undefined {
  const state = object(input?.state);
  const stackSet = text(input?.name)?.match(STACK_SET)?.[1];
  // `appvend-<application>-guardrails`, the conformance pack's name (check-guardrails' input).
  const pack = text(input?.conformancePack)?.match(STACK_SET)?.[1];
  return (
    text(input?.application) ??
    text(state?.application) ??
    text(object(input?.request)?.name) ??
    text(object(object(input?.app)?.request)?.name) ??
    text(object(object(state?.app)?.request)?.name) ??
    text(object(state?.request)?.name) ??
    text(object(input?.target)?.application) ??
    text(object(object(state?.target))?.application) ??
    text(object(input?.detail)?.application) ??
    text(object(input?.ResourceProperties)?.AppName) ??
    applicationOfAccount(object(input?.account)) ??
    applicationOfAccount(object(object(input?.creation)?.account)) ??
    stackSet ??
    pack ??
    // A check task's payload: the answer of the call before it (`previousAnswer`).
    (object(input?.previous) && input?.correlation ? applicationOf(object(input.previous)) : undefined)
  );
}

/** The correlation keys an invocation's input carries. */
export function correlationKeys(input: unknown): CorrelationKeys {
  const bag = object(input);
  const state = object(bag?.state);
  const correlation = object(bag?.correlation);
  const target = object(bag?.target) ?? object(state?.target);
  const application = applicationOf(bag);
  const requestId =
    text(correlation?.requestId) ??
    text(bag?.requestId) ??
    text(state?.requestId) ??
    text(target?.requestId) ??
    text(object(bag?.detail)?.requestId);
  const execution =
    text(correlation?.execution) ??
    text(bag?.execution) ??
    text(state?.execution) ??
    text(target?.executionName) ??
    text(bag?.executionName) ??
    text(state?.executionName);
  return {
    ...(application && { application }),
    ...(requestId && { requestId }),
    ...(execution && { execution }),
  };
}

/**
 * What a check task is given: the answer of the call before it (`previous`) with the correlation
 * keys. An execution started before the state machine sent them (its definition is the one it
 * started with) still sends the answer alone, so both are taken.
 *
 * @example
 * previousAnswer({ previous: { state: 'RUNNING' }, correlation: { execution: 'x' } }); // { state: 'RUNNING' }
 */
export function previousAnswer<T>(input: T | { previous: T; correlation: unknown }): T {
  const bag = object(input);
  return bag && 'correlation' in bag && 'previous' in bag ? (bag.previous as T) : (input as T);
}
