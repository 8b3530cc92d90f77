import { accountSpecs } from '../../domain/naming';
import { parseRequest } from '../../request/validate';
import type { ValidatedApplication } from '../types';

/** Step 1: the request, validated and with defaults applied, and the accounts it needs. */
export function validateApplication(raw: unknown): ValidatedApplication {
  const request = parseRequest(raw);
  return { request, accounts: accountSpecs(request) };
}
