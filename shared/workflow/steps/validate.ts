import { accountSpecs } from '../../domain/naming';
import { checkDeploymentRegion } from '../../domain/regions';
import { parseRequest } from '../../request/validate';
import type { ValidatedApplication } from '../types';

/**
 * Step 1: the request, validated and with defaults applied, and the accounts it needs. The Region
 * the stack instances and guardrails will go to (the service's own) is checked here too, so that
 * a Region appvend cannot deploy to stops the vend before the first AWS call.
 */
export function validateApplication(
  raw: unknown,
  region: string = process.env.AWS_REGION ?? 'us-east-1',
): ValidatedApplication {
  checkDeploymentRegion(region);
  const request = parseRequest(raw);
  return { request, accounts: accountSpecs(request) };
}
