import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMMERCIAL_REGIONS,
  DEFAULT_ENABLED_REGIONS,
  checkDeploymentRegion,
} from '../../shared/domain/regions';
import { UnsupportedRegionError } from '../../shared/errors';
import { validateApplication } from '../../shared/workflow/steps/validate';

/** The Regions of the SDK's commercial partition, from the partition data its endpoint rules use. */
function sdkCommercialRegions(): string[] {
  const file = join(
    require.resolve('@aws-sdk/core/package.json'),
    '../dist-es/submodules/client/util-endpoints/lib/aws/partitions.js',
  );
  const json = readFileSync(file, 'utf8')
    .replace(/^export const partitionsInfo =/m, '')
    .replace(/;\s*$/, '');
  const info = JSON.parse(json) as { partitions: { id: string; regions: Record<string, unknown> }[] };
  const aws = info.partitions.find((p) => p.id === 'aws')!;
  return Object.keys(aws.regions).filter((r) => r !== 'aws-global');
}

const REQUEST = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request.json'), 'utf8'),
) as unknown;

describe('Regions: checkDeploymentRegion', () => {
  it('knows exactly the commercial Regions of the SDK the project uses', () => {
    // Act
    const sdk = sdkCommercialRegions();

    // Assess
    expect([...COMMERCIAL_REGIONS].sort()).toEqual(sdk.sort());
    expect(DEFAULT_ENABLED_REGIONS.filter((r) => !COMMERCIAL_REGIONS.includes(r))).toEqual([]);
  });

  it('accepts the Regions enabled by default', () => {
    // Act / Assess
    for (const region of DEFAULT_ENABLED_REGIONS) expect(checkDeploymentRegion(region)).toBe(region);
  });

  it.each(['mars-1', 'US-EAST-1', 'cn-north-1', 'us-gov-west-1', 'aws-global', ''])(
    'refuses %j as not an AWS commercial Region',
    (region) => {
      // Act / Assess
      expect(() => checkDeploymentRegion(region)).toThrow(UnsupportedRegionError);
      expect(() => checkDeploymentRegion(region)).toThrow(/is not an AWS commercial Region/);
    },
  );

  it.each(['ap-east-1', 'af-south-1', 'eu-south-1', 'me-central-1', 'il-central-1', 'mx-central-1'])(
    'refuses the opt-in Region %s, saying why',
    (region) => {
      // Act / Assess
      expect(() => checkDeploymentRegion(region)).toThrow(
        /is an opt-in Region \(launched after 20 March 2019/,
      );
    },
  );

  it('stops the ValidateRequest step (before any AWS call) in an unknown Region', () => {
    // Act / Assess
    expect(() => validateApplication(REQUEST, 'mars-1')).toThrow(UnsupportedRegionError);
    expect(validateApplication(REQUEST, 'eu-west-1').request.name).toBe('orders');
  });
});
