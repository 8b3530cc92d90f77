import { membersBy, membersWhere, recordValues } from './atomic';
import type * as cfg from '@aws-sdk/client-config-service';
import { CONFIG_PAGES, accountConfig, configError, configValidation } from './config-common';
import type { CallContext, HandlerTable, Out } from './context';
import { SandboxGap } from './errors';
import type { EventSource } from './events';
import { UuidKind, next, uuid } from './ids';
import { paginate } from './pagination';
import type { ConfigAccountState, ConformancePackState, SandboxStateJson } from './state';
import { configsDeployingPacks } from './state-indexes';

/**
 * AWS Config conformance packs: AWS Config deploys each as a CloudFormation stack of Config
 * rules, so a put is asynchronous (CREATE_IN_PROGRESS → CREATE_COMPLETE on the sandbox clock).
 */

const PACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
/** The only resource types a conformance pack template may declare. */
const PACK_TYPES = new Set(['AWS::Config::ConfigRule', 'AWS::Config::RemediationConfiguration']);

const invalidTemplate = (why: string) =>
  configError(
    'ConformancePackTemplateValidationException',
    `The conformance pack template is not valid: ${why}`,
  );

/** JSON or YAML: at least one resource, and only Config rules and remediations. */
function checkPackTemplate(body: string): void {
  let types: string[];
  try {
    const resources =
      (JSON.parse(body) as { Resources?: Record<string, { Type?: unknown }> }).Resources ?? {};
    types = Object.values(resources).map((r) => String(r?.Type));
  } catch {
    // YAML without a parser: the `Type:` lines of the top-level Resources section only
    // (Parameters declare `Type: String` too).
    const start = body.search(/^Resources:\s*$/m);
    if (start < 0) throw invalidTemplate('Resources section not found.');
    const rest = body.slice(start).split('\n').slice(1);
    const end = rest.findIndex((line) => /^\S/.test(line));
    const section = (end < 0 ? rest : rest.slice(0, end)).join('\n');
    types = [...section.matchAll(/^\s+Type:\s*['"]?([\w:]+)/gm)].map((m) => m[1]!);
  }
  if (types.length === 0) throw invalidTemplate('At least one resource must be defined.');
  const unsupported = types.filter((t) => !PACK_TYPES.has(t));
  if (unsupported.length > 0)
    throw invalidTemplate(`Unsupported resource types: [${[...new Set(unsupported)].join(', ')}]`);
}

function putConformancePack(
  input: cfg.PutConformancePackCommandInput,
  ctx: CallContext,
): Out<cfg.PutConformancePackCommandOutput> {
  const { state, now, caller, region } = ctx;
  const name = input.ConformancePackName;
  if (!name) throw configValidation('conformancePackName', 'Member must not be null');
  if (name.length > 256 || !PACK_NAME.test(name)) {
    throw configValidation(
      'conformancePackName',
      'Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*',
    );
  }
  if (input.TemplateSSMDocumentDetails)
    throw new SandboxGap('TemplateSSMDocumentDetails (pass TemplateBody or TemplateS3Uri)');
  const sources = [input.TemplateBody, input.TemplateS3Uri].filter((t) => t !== undefined);
  if (sources.length !== 1) {
    throw configError(
      'ValidationException',
      'You must specify only one of the following parameters: TemplateS3Uri, TemplateBody or TemplateSSMDocumentDetails.',
    );
  }
  if (input.TemplateBody !== undefined) {
    if (input.TemplateBody.length < 1 || input.TemplateBody.length > 51_200) {
      throw configValidation('templateBody', 'Member must have length less than or equal to 51200');
    }
    checkPackTemplate(input.TemplateBody);
  }
  if (input.TemplateS3Uri !== undefined && !/^s3:\/\/[^/]+\/.+/.test(input.TemplateS3Uri)) {
    throw configValidation('templateS3Uri', 'Member must satisfy regular expression pattern: s3://.*');
  }
  const parameters = input.ConformancePackInputParameters ?? [];
  if (parameters.length > 60)
    throw configValidation(
      'conformancePackInputParameters',
      'Member must have length less than or equal to 60',
    );
  const config = accountConfig(ctx);
  // Conformance packs are Config rules, and "you must create a configuration recorder before
  // you can create or update a Config rule".
  if (!config.recorder) {
    throw configError(
      'NoAvailableConfigurationRecorderException',
      'You must create a configuration recorder before you can create or update a Config rule.',
    );
  }
  const existing = config.conformancePacks[name];
  if (existing?.state === 'CREATE_IN_PROGRESS') {
    throw configError(
      'ResourceInUseException',
      `The conformance pack ${name} is currently being created or updated. Try again later.`,
    );
  }
  const failureReason = takeArmedFailure(state, caller.accountId, name);
  const seq = existing?.seq ?? next(state, 'conformancePack');
  const id = existing?.id ?? `conformance-pack-${seq.toString(36).padStart(14, '0')}`;
  const stackUuid = uuid(UuidKind.conformancePack, seq);
  const pack: ConformancePackState = {
    name,
    id,
    arn: `arn:aws:config:${region}:${caller.accountId}:conformance-pack/${name}/${id}`,
    stackArn: `arn:aws:cloudformation:${region}:${caller.accountId}:stack/awsconfigconforms-${name}-${stackUuid.slice(-8)}/${stackUuid}`,
    ...(input.TemplateBody === undefined ? {} : { templateBody: input.TemplateBody }),
    ...(input.TemplateS3Uri === undefined ? {} : { templateS3Uri: input.TemplateS3Uri }),
    ...(input.DeliveryS3Bucket ? { deliveryS3Bucket: input.DeliveryS3Bucket } : {}),
    ...(input.DeliveryS3KeyPrefix ? { deliveryS3KeyPrefix: input.DeliveryS3KeyPrefix } : {}),
    inputParameters: parameters.map((p) => ({
      ParameterName: p.ParameterName ?? '',
      ParameterValue: p.ParameterValue ?? '',
    })),
    state: 'CREATE_IN_PROGRESS',
    ...(failureReason === undefined ? {} : { failureReason }),
    lastUpdateRequestedAt: now,
    completesAt: now + ctx.settings.latency.conformancePackDeploy,
    ...(existing?.lastUpdateCompletedAt === undefined
      ? {}
      : { lastUpdateCompletedAt: existing.lastUpdateCompletedAt }),
    seq,
  };
  config.conformancePacks[name] = pack;
  return { ConformancePackArn: pack.arn };
}

/**
 * The reason of the first armed failure matching this put, which it uses up: AWS Config deploys a
 * pack as a CloudFormation stack, which can fail after the put was accepted (a rule AWS refuses, a
 * quota), and the pack then ends CREATE_FAILED with the stack's reason.
 */
function takeArmedFailure(state: SandboxStateJson, accountId: string, name: string): string | undefined {
  const armed = (state.conformancePackFailures ?? []).find(
    (f) =>
      f.remaining > 0 &&
      (f.accountId === undefined || f.accountId === accountId) &&
      (f.name === undefined || f.name === name),
  );
  if (!armed) return undefined;
  armed.remaining -= 1;
  state.conformancePackFailures = state.conformancePackFailures!.filter((f) => f.remaining > 0);
  return armed.reason;
}

/** The packs named (all when none are), or NoSuchConformancePackException. */
function selectPacks(
  config: ConfigAccountState,
  names: string[] | undefined,
  strict: boolean,
): ConformancePackState[] {
  const all = recordValues(config.conformancePacks).sort((a, b) => a.name.localeCompare(b.name));
  if (!names?.length) return all;
  const missing = names.filter((n) => !config.conformancePacks[n]);
  if (strict && missing.length > 0) {
    throw configError(
      'NoSuchConformancePackException',
      `One or more conformance packs do not exist: [${missing.join(', ')}]`,
    );
  }
  return all.filter((p) => names.includes(p.name));
}

function describePacks(
  input: cfg.DescribeConformancePacksCommandInput,
  ctx: CallContext,
): Out<cfg.DescribeConformancePacksCommandOutput> {
  const packs = selectPacks(accountConfig(ctx), input.ConformancePackNames, true);
  const page = paginate(packs, input.NextToken, input.Limit || undefined, CONFIG_PAGES);
  return {
    ConformancePackDetails: page.items.map((p) => ({
      ConformancePackName: p.name,
      ConformancePackArn: p.arn,
      ConformancePackId: p.id,
      ...(p.deliveryS3Bucket ? { DeliveryS3Bucket: p.deliveryS3Bucket } : {}),
      ...(p.deliveryS3KeyPrefix ? { DeliveryS3KeyPrefix: p.deliveryS3KeyPrefix } : {}),
      ConformancePackInputParameters: p.inputParameters.map((x) => ({ ...x })),
      LastUpdateRequestedTime: new Date(p.lastUpdateRequestedAt),
    })),
    NextToken: page.nextToken,
  };
}

function describePackStatus(
  input: cfg.DescribeConformancePackStatusCommandInput,
  ctx: CallContext,
): Out<cfg.DescribeConformancePackStatusCommandOutput> {
  // Unlike DescribeConformancePacks, the status call lists no error for unknown names.
  const packs = selectPacks(accountConfig(ctx), input.ConformancePackNames, false);
  const page = paginate(packs, input.NextToken, input.Limit || undefined, CONFIG_PAGES);
  return {
    ConformancePackStatusDetails: page.items.map((p) => ({
      ConformancePackName: p.name,
      ConformancePackId: p.id,
      ConformancePackArn: p.arn,
      ConformancePackState: p.state,
      StackArn: p.stackArn,
      ...(p.state === 'CREATE_FAILED' && p.failureReason !== undefined
        ? { ConformancePackStatusReason: p.failureReason }
        : {}),
      LastUpdateRequestedTime: new Date(p.lastUpdateRequestedAt),
      ...(p.lastUpdateCompletedAt === undefined
        ? {}
        : { LastUpdateCompletedTime: new Date(p.lastUpdateCompletedAt) }),
    })),
    NextToken: page.nextToken,
  };
}

function deletePack(input: cfg.DeleteConformancePackCommandInput, ctx: CallContext): object {
  const config = accountConfig(ctx);
  const name = input.ConformancePackName;
  if (!name) throw configValidation('conformancePackName', 'Member must not be null');
  const pack = config.conformancePacks[name];
  if (!pack)
    throw configError(
      'NoSuchConformancePackException',
      `One or more conformance packs do not exist: [${name}]`,
    );
  if (pack.state === 'CREATE_IN_PROGRESS') {
    throw configError(
      'ResourceInUseException',
      `The conformance pack ${name} is currently being created or updated. Try again later.`,
    );
  }
  delete config.conformancePacks[name];
  return {};
}

/** Completes the earliest conformance pack deployment that is due. */
export const conformancePackEvents: EventSource = (state) => {
  // Only the accounts with a deployment in progress are looked into (and, in a call, wrapped).
  const deploying = (p: { state: string }) => p.state === 'CREATE_IN_PROGRESS';
  const due = membersBy(state.config, configsDeployingPacks, true)
    .flatMap((c) => membersWhere(c.conformancePacks, deploying))
    .sort((a, b) => a.completesAt - b.completesAt || a.seq - b.seq)[0];
  if (!due) return undefined;
  return {
    at: due.completesAt,
    order: due.seq,
    // LastUpdateCompletedTime is the "last time when conformation pack creation and update was
    // successful": a failure leaves it as it was.
    apply: () =>
      due.failureReason === undefined
        ? Object.assign(due, { state: 'CREATE_COMPLETE', lastUpdateCompletedAt: due.completesAt })
        : Object.assign(due, { state: 'CREATE_FAILED' }),
  };
};

export const CONFORMANCE_PACK_HANDLERS: HandlerTable = {
  PutConformancePack: putConformancePack,
  DescribeConformancePacks: describePacks,
  DescribeConformancePackStatus: describePackStatus,
  DeleteConformancePack: deletePack,
};
