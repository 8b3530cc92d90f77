import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BackendKind } from './backends';
import { UsageError, backendKind } from './args';

/**
 * Every command's arguments in one table: its help, its positionals (how many, named), its own
 * options, whether it talks to a backend (then it also takes --sandbox | --endpoint | --aws,
 * --json, --state, --region) and which of its options apply on the sandbox only. `parseCommand`
 * refuses what the table does not allow: an unknown option, an extra argument, a sandbox option
 * with --endpoint or --aws. A new command is one entry here and one line in `main`'s dispatch.
 */
export interface CommandSpec {
  /** The usage line(s): `appvend <name> …`. */
  synopsis: string;
  /** What it does, its options and exit codes, indented by six spaces. */
  help: string;
  /** Positional argument names in order; optional ones in [brackets]. */
  positionals: readonly string[];
  /** Options of its own (beside the backend options, when `backend`). */
  options: NonNullable<ParseArgsConfig['options']>;
  /** Takes the backend options (--sandbox | --endpoint URL | --aws, --json, --state, --region). */
  backend: boolean;
  /** Options that mean something on the sandbox only (refused with --endpoint or --aws). */
  sandboxOnly?: readonly string[];
}

/** The default sandbox state file. */
export const DEFAULT_STATE = join('.appvend', 'sandbox.json');

/** The options every command that talks to a backend takes (--state's default is applied after). */
const BACKEND_OPTIONS = {
  sandbox: { type: 'boolean' },
  endpoint: { type: 'string' },
  aws: { type: 'boolean' },
  json: { type: 'boolean' },
  state: { type: 'string' },
  region: { type: 'string' },
} as const;

const BACKEND_LINES = `      --sandbox        the in-process sandbox organization (default); kept in --state between runs
      --endpoint URL   any AWS-compatible endpoint (moto server, LocalStack)
      --aws            real AWS, with the normal credential chain, in the organization's management account
      --json           print JSON on stdout (progress goes to stderr)
      --state FILE     sandbox only: its state file (default: .appvend/sandbox.json); the ledger of
                       applications is kept beside it (FILE without .json, plus .ledger.json). One
                       command at a time per state directory: another waits for the lock
                       (appvend.lock in the directory; a lock left by a process that is gone is taken over)
      --region REGION  region for stack instances and Config (default: $AWS_REGION or us-east-1);
                       a Region that is not an AWS commercial Region, or an opt-in Region (launched
                       after 20 March 2019), is refused before any AWS call
`;

export const COMMANDS: Record<string, CommandSpec> = {
  validate: {
    synopsis: 'appvend validate <request.json>',
    help: `      Check a request. Exit 0 when valid; otherwise exit 1 and one line per problem
      ("field: rule"). Makes no AWS call. One file per call: a second argument is refused.
`,
    positionals: ['<request.json>'],
    options: {},
    backend: false,
  },
  vend: {
    synopsis: 'appvend vend <request.json> [--sandbox | --endpoint URL | --aws] [options]',
    help: `      Run the vend workflow (the same state machine as the deployed service, run locally).
${BACKEND_LINES}      --fresh          sandbox only: start from an empty organization (with a Suspended OU
                       under a deny-all SCP, for offboarding)
      --report FILE    write a Markdown report: Gantt chart of the steps on the clock, the OU tree
                       with the accounts, the stack instances and their status, the guardrails
                       (also for a request already vended: the report of the organization as it is)
      --latency NAME=FIGURE[,NAME=FIGURE]
                       sandbox only: override its latency model, e.g. createAccount=10m
                       (docs/latency-model.md lists the names and defaults)
      Progress goes to stderr: a line per step (✔ done, ✗ failed) and, while a step waits (queued
      behind the CreateAccount quota, an account being created, a stack set operation, a
      conformance pack), a "waiting" line at least every 30 s of AWS time (on the sandbox's
      virtual clock, once per wait). Colour only on a terminal, never with NO_COLOR set.
      Exit 0 only when the vend succeeded. The request is validated before any AWS call.
      Requests go through the ledger (a file beside --state on the sandbox, the appvend-ledger
      table elsewhere): the same request again after it succeeded is a no-op that prints the
      result; a changed one re-vends; a change while a vend runs, or an application the caller
      does not own, is refused (exit 1). A request without a stage the application had is
      refused (exit 1; offboard the application, or keep the stage). The caller is who STS says
      runs the command (GetCallerIdentity; an assumed-role session counts as its role).
`,
    positionals: ['<request.json>'],
    options: {
      fresh: { type: 'boolean' },
      report: { type: 'string' },
      latency: { type: 'string', multiple: true },
    },
    backend: true,
    sandboxOnly: ['fresh', 'latency'],
  },
  plan: {
    synopsis:
      'appvend plan <request.json> [--sandbox | --endpoint URL | --aws] [--json] [--state FILE] [--region R]',
    help: `      What a vend of the request would do, compared with the organization as it is, step by step:
      OU and SCP to create, update (with the policy's diff), attach or keep; accounts to create,
      adopt (found by email outside the OU: moved in) or keep; stack sets and instances to create,
      update (template digest, parameters) or keep; Config guardrails in each account; Identity
      Center assignments and alternate contacts to create, keep, or remove ("-": appvend made them
      for an earlier request that this one drops; read from the ledger, not on --endpoint); a stage
      the application had that the request no longer names ("remove stage qa: account …", which
      stops the vend). Ends with a count line ("plan: 7 to create, 1 to update, 3 to keep"); --json
      prints the plan as JSON. Makes only read calls. Exit 0 when nothing would stop the vend, 1
      for an invalid request (as validate) or when something would stop the vend.
`,
    positionals: ['<request.json>'],
    options: {},
    backend: true,
  },
  resume: {
    synopsis:
      'appvend resume <name> [--sandbox | --endpoint URL | --aws] [--json] [--state FILE] [--report FILE]\n                 [--latency NAME=FIGURE]',
    help: `      Continue a failed vend at the step that failed, with what the earlier steps made (kept in
      the ledger); a local vend that was interrupted runs again. Sending the same request again
      (vend, the API, the event, Service Catalog) does the same. A vended application is left
      as it is (exit 0); one being vended on AWS is refused (exit 1). --report and --latency as
      for vend.
`,
    positionals: ['<name>'],
    options: {
      report: { type: 'string' },
      latency: { type: 'string', multiple: true },
    },
    backend: true,
    sandboxOnly: ['latency'],
  },
  reconcile: {
    synopsis:
      'appvend reconcile <name> | --all [--apply] [--sandbox | --endpoint URL | --aws] [--json] [--state FILE]',
    help: `      Compare each vended application with its request, as a plan of the recorded request would
      (read calls only), and report the drift: an account moved out of the OU, the SCP edited or
      detached, a stack set or instance changed or deleted, a guardrail removed, an Identity Center
      assignment of the request removed by hand. --apply brings it
      back in line through the vend's own steps (a new attempt of the same request). Drift found
      is announced as "Application Drift Detected", a fix as "Application Drift Fixed". Exit 0
      when everything is, or is brought back, in line; 1 otherwise, including when --all skipped
      an application (one that failed, or is being vended or offboarded: named with the reason).
`,
    positionals: ['[name]'],
    options: {
      all: { type: 'boolean' },
      apply: { type: 'boolean' },
    },
    backend: true,
  },
  offboard: {
    synopsis:
      'appvend offboard <name> --confirm <name> [--close-accounts] [--sandbox | --endpoint URL | --aws]\n                   [--json] [--state FILE]',
    help: `      Remove what the vend made, checking tags first (only what carries appvend:application=<name>
      is removed): stack instances and stack sets, the SCP (detached, deleted), the OU once empty;
      move the accounts to the suspended OU (APPVEND_SUSPENDED_OU_ID; on the sandbox, its
      Suspended OU by default) and, with --close-accounts, close the ones appvend created, unless
      that would exceed the closure quota (APPVEND_CLOSURE_SHARE of the member accounts per 30
      days, default 0.1): then none is closed and the numbers are named. --confirm must repeat the
      name, or nothing is done. The suspended OU is checked before anything is marked: a missing
      one is refused (exit 1) and the application stays as it was. The ledger keeps the
      application, OFFBOARDED, with the history. Exit 0 when offboarded (now or before).
`,
    positionals: ['<name>'],
    options: {
      confirm: { type: 'string' },
      'close-accounts': { type: 'boolean' },
    },
    backend: true,
  },
  status: {
    synopsis: 'appvend status [name] [--sandbox | --endpoint URL | --aws] [--json] [--state FILE]',
    help: `      What the ledger holds: one line per application, or one application in full (status, step,
      request id, execution, ids vended so far, error). Only the applications the caller owns or
      manages, unless it is a platform administrator.
`,
    positionals: ['[name]'],
    options: {},
    backend: true,
  },
  doctor: {
    synopsis:
      'appvend doctor [--sandbox | --endpoint URL | --aws] [--json] [--state FILE] [--fresh] [--region R]',
    help: `      Check the prerequisites of docs/deploy.md, read-only (Describe*, List*, Get* calls; the
      sandbox's state is not saved): with APPVEND_MANAGEMENT_ROLE_ARN set, first that the caller
      may assume that role (the organization is then read through it); the caller (or the role)
      is in the management account; all features and the
      SCP policy type are enabled; the parent OU exists; the suspended OU exists with a deny-all
      SCP; the account quota has room for a vend; the Config delivery bucket's policy lets member
      accounts' recorder roles deliver; AWS RAM sharing within the organization is enabled; with
      APPVEND_STACKSETS_MODE=SERVICE_MANAGED, trusted access for StackSets and, outside the
      management account, this account registered as the StackSets delegated administrator; and,
      on --aws or --endpoint, the service stack ($APPVEND_STACK_NAME, default AppvendService)
      and its outputs, which then give the settings checked. One line each: ok, MISSING (a vend
      would stop), WARN (a vend goes through, something else does not: offboarding, the
      pipeline's connection) or info, with the command that fixes it. Exit 1 when anything is
      MISSING.
${BACKEND_LINES}      --fresh          sandbox only: check a new sandbox organization instead of --state's
`,
    positionals: [],
    options: { fresh: { type: 'boolean' } },
    backend: true,
    sandboxOnly: ['fresh'],
  },
};

const HEADER = `appvend — vend an application's AWS environment: OU, SCP, accounts, pipeline, guardrails.
`;

const ENVIRONMENT = `Environment (optional): APPVEND_PARENT_OU_ID (parent of application OUs, default the root),
APPVEND_SCP_SIZE_QUOTA (default 5120), APPVEND_SCP_ATTACHMENT_QUOTA (default 5),
APPVEND_ACCOUNT_QUOTA (the organization's account quota plan checks, default 10),
APPVEND_MEMBER_ROLE (default OrganizationAccountAccessRole), APPVEND_NOTIFICATION_TOPIC_ARN,
APPVEND_CONFIG_BUCKET, APPVEND_PLATFORM_ADMINS (comma-separated IAM role ARNs that may act on
every application; everyone else acts only on the applications it owns or manages),
APPVEND_SUSPENDED_OU_ID (offboarding's suspended OU), NO_COLOR (no colour even on a terminal),
APPVEND_STACK_NAME (the service stack, default AppvendService). With --aws, the service stack's
outputs (DescribeStacks) give these settings and win over the environment; stderr says which
were used. Deploying the service: docs/deploy.md.
`;

/** The whole help: every command. */
export function usage(): string {
  const sections = Object.values(COMMANDS).map((spec) => `  ${spec.synopsis}\n${spec.help}`);
  return `${HEADER}
Usage:
${sections.join('\n')}
  appvend help [command]   this text, or one command's (also: appvend <command> --help)
  appvend --version        appvend's version

${ENVIRONMENT}`;
}

/** One command's help, or undefined for an unknown command. */
export function commandUsage(name: string): string | undefined {
  const spec = COMMANDS[name];
  if (!spec) return undefined;
  return `Usage:\n  ${spec.synopsis}\n${spec.help}${spec.backend ? `\n${ENVIRONMENT}` : ''}`;
}

/** The version in package.json (beside `cli/` in the sources, beside `dist/` in the package). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export interface ParsedCommand {
  values: Record<string, string | boolean | string[] | undefined> & {
    endpoint?: string;
    state?: string;
    region?: string;
    json?: boolean;
  };
  positionals: string[];
  /** The backend chosen (the sandbox when none is named); undefined for a command without one. */
  kind?: BackendKind;
}

/**
 * Parses a command's arguments by its entry in COMMANDS. Refused (UsageError, exit 2): an unknown
 * option, a missing or an extra positional, more than one backend, and an option that applies to
 * the sandbox only (--state, --fresh, --latency …) with --endpoint or --aws.
 */
export function parseCommand(name: string, args: string[]): ParsedCommand {
  const spec = COMMANDS[name];
  if (!spec) throw new UsageError(`unknown command "${name}"`);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { ...(spec.backend ? BACKEND_OPTIONS : {}), ...spec.options },
  });
  const required = spec.positionals.filter((p) => !p.startsWith('['));
  if (positionals.length < required.length) {
    throw new UsageError(`missing ${required[positionals.length]}`);
  }
  if (positionals.length > spec.positionals.length) {
    const extra = positionals.slice(spec.positionals.length);
    const takes =
      spec.positionals.length === 0 ? 'takes no arguments' : `takes ${spec.positionals.join(' ')} only`;
    throw new UsageError(
      `unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => `"${a}"`).join(' ')}: ${name} ${takes}`,
    );
  }
  const parsed: ParsedCommand = { values: values as ParsedCommand['values'], positionals };
  if (spec.backend) {
    const kind = backendKind(parsed.values as { sandbox?: boolean; endpoint?: string; aws?: boolean });
    parsed.kind = kind;
    if (kind !== 'sandbox') {
      for (const option of ['state', ...(spec.sandboxOnly ?? [])]) {
        if (parsed.values[option] !== undefined) {
          throw new UsageError(
            `--${option} applies to the sandbox only, not with ${kind === 'aws' ? '--aws' : '--endpoint'}` +
              (option === 'state'
                ? ' (there the ledger is the appvend-ledger table and the organization is the real one)'
                : ''),
          );
        }
      }
    }
    parsed.values.state ??= DEFAULT_STATE;
  }
  return parsed;
}
