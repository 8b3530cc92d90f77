import { UnsupportedRegionError } from '../errors';

/**
 * The Regions appvend deploys to. Stack instances and Config guardrails go to the service's one
 * Region in every account it vends, so the Region is checked before any AWS call: an unknown name
 * (a typo, `mars-1`) would otherwise be found out only after the OU, the SCP and the accounts had
 * been created.
 *
 * The list is the AWS SDK's own partition data for the commercial partition (`aws`), copied here so
 * that no handler depends on an SDK-internal file; `test/unit/regions.test.ts` fails when the SDK
 * the project uses knows a Region this list lacks, or the other way round.
 */
export const COMMERCIAL_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'me-west-1',
  'mx-central-1',
  'sa-east-1',
  'sa-west-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

/**
 * The Regions every account has enabled from the start. AWS: "Regions launched before March 20,
 * 2019 are enabled by default" and "Regions launched after March 20, 2019 are disabled by default"
 * (AWS Account Management Reference Guide, "Enable or disable AWS Regions in your account"). Every
 * other commercial Region is an opt-in Region.
 */
export const DEFAULT_ENABLED_REGIONS: readonly string[] = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

/**
 * Refuses a Region appvend cannot deploy to, before any AWS call: one that is not an AWS commercial
 * Region, and an opt-in Region. A new account has every opt-in Region disabled, and StackSets
 * creates a stack instance only in a Region enabled in the target account; appvend does not enable
 * Regions in the accounts it creates (account:EnableRegion), so a vend there would stop at the
 * stack sets with the accounts already made.
 */
export function checkDeploymentRegion(region: string): string {
  if (!COMMERCIAL_REGIONS.includes(region)) {
    throw new UnsupportedRegionError(
      `Region "${region}" is not an AWS commercial Region; use one of: ${DEFAULT_ENABLED_REGIONS.join(', ')}`,
      { region },
    );
  }
  if (!DEFAULT_ENABLED_REGIONS.includes(region)) {
    throw new UnsupportedRegionError(
      `Region "${region}" is an opt-in Region (launched after 20 March 2019, disabled by default in every ` +
        'new account): appvend does not enable Regions in the accounts it creates, so its stack instances ' +
        `and guardrails could not be created there; use one of: ${DEFAULT_ENABLED_REGIONS.join(', ')}`,
      { region },
    );
  }
  return region;
}
