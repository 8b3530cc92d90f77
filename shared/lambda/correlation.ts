/**
 * The keys that let one vend be followed across the functions: the application, the request id and
 * the execution, read from what the invocation was given (each step's payload names some of them;
 * the state machine's summary steps all three). Absent keys are left out, never guessed.
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
  return (
    text(input?.application) ??
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
    stackSet
  );
}

/** The correlation keys an invocation's input carries. */
export function correlationKeys(input: unknown): CorrelationKeys {
  const bag = object(input);
  const state = object(bag?.state);
  const application = applicationOf(bag);
  const requestId =
    text(bag?.requestId) ??
    text(state?.requestId) ??
    text(object(bag?.target)?.requestId) ??
    text(object(bag?.detail)?.requestId);
  const execution =
    text(bag?.execution) ?? text(state?.execution) ?? text(object(bag?.target)?.executionName);
  return {
    ...(application && { application }),
    ...(requestId && { requestId }),
    ...(execution && { execution }),
  };
}
