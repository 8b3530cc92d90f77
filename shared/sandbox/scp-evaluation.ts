import { membersUnder } from './atomic';
import type { PolicyState, SandboxStateJson } from './state';
import { policyWildcard } from './policy-wildcard';
import { attachmentsByTarget } from './state-indexes';

/**
 * Which service control policies deny a principal everything in an account: the quarantine's
 * shape (`Deny` of `*` on `*`, with conditions on `aws:PrincipalArn`). The sandbox models only
 * these account-wide denies; a statement naming actions or resources, or a condition on another
 * key, is left to the real evaluator (`test/security/*-scp.test.ts`, iam-simulate).
 *
 * AWS: SCPs affect every user and role of a member account, not the management account's, and
 * never a service-linked role.
 */

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

/** The operators decided here; each tests `aws:PrincipalArn` against its values. */
const OPERATORS: Record<string, (arn: string, values: string[]) => boolean> = {
  ArnLike: (arn, values) => values.some((v) => arnLike(arn, v)),
  ArnNotLike: (arn, values) => !values.some((v) => arnLike(arn, v)),
  ArnEquals: (arn, values) => values.some((v) => arnLike(arn, v)),
  ArnNotEquals: (arn, values) => !values.some((v) => arnLike(arn, v)),
  StringLike: (arn, values) => values.some((v) => glob(v).test(arn)),
  StringNotLike: (arn, values) => !values.some((v) => glob(v).test(arn)),
  StringEquals: (arn, values) => values.includes(arn),
  StringNotEquals: (arn, values) => !values.includes(arn),
};

const glob = (pattern: string): RegExp => policyWildcard(pattern);

/** ArnLike: each of the six colon-separated parts matched on its own (the last keeps its colons). */
function arnLike(arn: string, pattern: string): boolean {
  const split = (value: string) => {
    const parts = value.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const [a, p] = [split(arn), split(pattern)];
  return p.every((part, i) => glob(part).test(a[i] ?? ''));
}

const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];
const everything = (value: unknown) => list(value).includes('*');

/**
 * Whether the statement denies everything to the principal, or undefined when the sandbox cannot
 * decide it (it names actions or resources, or a condition the model does not read).
 */
function deniesEverything(statement: Statement, principalArn: string): boolean | undefined {
  if (statement.Effect !== 'Deny' || statement.NotAction !== undefined || statement.NotResource !== undefined)
    return undefined;
  if (!everything(statement.Action) || !everything(statement.Resource)) return undefined;
  const conditions = Object.entries((statement.Condition ?? {}) as Record<string, Record<string, unknown>>);
  let applies = true;
  for (const [operator, keys] of conditions) {
    const test = OPERATORS[operator];
    if (!test) return undefined;
    for (const [key, values] of Object.entries(keys)) {
      if (key.toLowerCase() !== 'aws:principalarn') return undefined;
      applies &&= test(principalArn, list(values).map(String));
    }
  }
  return applies;
}

/** The account, then each OU above it, then the root: where the SCPs in effect are attached. */
function targetsOf(state: SandboxStateJson, accountId: string): string[] {
  const targets = [accountId];
  let parent = state.accounts[accountId]?.parentId;
  while (parent) {
    targets.push(parent);
    parent = state.ous[parent]?.parentId;
  }
  return targets;
}

/**
 * A policy document's statements (undefined when it is not JSON), parsed once per distinct
 * document: every call of every account is checked against every SCP attached above it, and
 * parsing each document again on each call was a visible part of a 300-application run. The
 * statements are only read.
 */
const parsedStatements = new Map<string, readonly Statement[] | undefined>();

function statementsOf(content: string): readonly Statement[] | undefined {
  if (!parsedStatements.has(content)) {
    let statements: Statement[] | undefined;
    try {
      statements = list((JSON.parse(content) as { Statement?: unknown }).Statement) as Statement[];
    } catch {
      statements = undefined;
    }
    parsedStatements.set(content, statements);
  }
  return parsedStatements.get(content);
}

/**
 * An SCP in effect on the account that denies the principal everything, or undefined. The
 * management account and service-linked roles (path `/aws-service-role/`) are never denied.
 */
export function scpDenyingEverything(
  state: SandboxStateJson,
  accountId: string,
  principalArn: string,
): PolicyState | undefined {
  if (accountId === state.organization.managementAccountId) return undefined;
  if (/:role\/aws-service-role\//.test(principalArn)) return undefined;
  // In the order of the organization's attachments, as they were when every one was looked at.
  const onPath = membersUnder(state.attachments, attachmentsByTarget, targetsOf(state, accountId));
  for (const attachment of onPath) {
    const policy = state.policies[attachment.policyId];
    if (!policy) continue;
    const statements = statementsOf(policy.content);
    if (statements?.some((s) => deniesEverything(s, principalArn) === true)) return policy;
  }
  return undefined;
}

/**
 * The role ARN `aws:PrincipalArn` carries for a role session's calls (the sandbox's roles have no
 * path), from the session's `assumed-role` ARN; undefined for any other principal.
 */
export function rolePrincipalArn(callerArn: string): string | undefined {
  const match = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(callerArn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : undefined;
}
