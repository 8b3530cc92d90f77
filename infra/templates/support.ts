import {
  Aws,
  BootstraplessSynthesizer,
  CfnParameter,
  Fn,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';
import { NAME_LENGTH_LIMIT } from '../../shared/domain/name-limits';
import { NAME_PATTERN } from '../../shared/request/schema';
import { PARTITION } from './names';

/** An IAM policy document as CloudFormation takes it. Values may be CDK tokens. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Record<string, unknown> | '*';
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export const policy = (...statements: PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

/**
 * The trust policy of a role an AWS service assumes, on behalf of this account only
 * (`aws:SourceAccount`, against the confused deputy). `extra` adds conditions such as aws:SourceArn.
 */
export const serviceTrust = (
  service: string,
  extra: Record<string, Record<string, unknown>> = {},
): PolicyDocument =>
  policy({
    Effect: 'Allow',
    Principal: { Service: service },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID }, ...extra },
  });

/** `Fn::Sub` of a body written with the `VAR` placeholders of `names.ts`. */
export const sub = (body: string): string => Fn.sub(body);

/**
 * A stack that synthesizes to plain CloudFormation: no bootstrap parameter or rule, no assets, no
 * CDKMetadata resource, no transforms. The vended templates are deployed by StackSets, which cannot
 * run transforms or reach a bootstrap bucket.
 */
export class VendedTemplateStack extends Stack {
  constructor(scope: Construct, id: string, props: Pick<StackProps, 'description'>) {
    super(scope, id, {
      ...props,
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
    });
  }
}

/** `AppName`: the application name, as `shared/request/schema.ts` validates it. */
export function appNameParameter(stack: Stack): CfnParameter {
  return new CfnParameter(stack, 'AppName', {
    type: 'String',
    description: 'Application name: lowercase letters, digits and hyphens, starting with a letter.',
    minLength: 3,
    maxLength: NAME_LENGTH_LIMIT.max,
    allowedPattern: NAME_PATTERN.source,
    constraintDescription: `must be 3-${NAME_LENGTH_LIMIT.max} lowercase letters, digits and hyphens, start with a letter and not end with a hyphen`,
  });
}

/** A CommaDelimitedList of 12-digit AWS account ids (the pattern applies to each element). */
export function accountIdListParameter(stack: Stack, id: string, description: string): CfnParameter {
  return new CfnParameter(stack, id, {
    type: 'CommaDelimitedList',
    description,
    allowedPattern: '^\\d{12}$',
    constraintDescription: 'must be a comma-separated list of 12-digit AWS account ids',
  });
}

/**
 * `["arn:aws:iam::<id><suffix[0]>", …, "arn:aws:iam::<id><suffix[1]>", …]` for every id in a
 * CommaDelimitedList, with only Fn::Join and Fn::Split (a Fn::Join delimiter must be a literal, which
 * is why the partition is a literal too).
 */
export function expandAccountArns(accountIds: string[], suffixes: readonly string[]): string[] {
  const prefix = `arn:${PARTITION}:iam::`;
  const perSuffix = suffixes.map((suffix) =>
    Fn.join('', [prefix, Fn.join(`${suffix},${prefix}`, accountIds), suffix]),
  );
  return Fn.split(',', perSuffix.length === 1 ? perSuffix[0]! : Fn.join(',', perSuffix));
}

/** The id cdk-nag's IAM5 gives a wildcard resource written as a `Fn::Sub` body. */
export const wildcardResourceFinding = (subBody: string): string =>
  `AwsSolutions-IAM5[Resource::${subBody.replace(/\$\{/g, '<').replace(/\}/g, '>')}]`;

/**
 * Acknowledge cdk-nag IAM5 wildcard-resource findings on one construct, each with its reason.
 * `resources` are the `Fn::Sub` bodies exactly as the policy uses them.
 */
export function acknowledgeWildcardResources(construct: IConstruct, resources: Record<string, string>): void {
  for (const [resource, reason] of Object.entries(resources)) {
    Validations.of(construct).acknowledge({ id: wildcardResourceFinding(resource), reason });
  }
}
