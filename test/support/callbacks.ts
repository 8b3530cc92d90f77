import type { PendingCallback } from '../../shared/ledger/record';

/** A Service Catalog launch's custom-resource request waiting for the vend of `requestId`. */
export const waitingCallback = (requestId: string, cfnRequestId = 'cfn-1'): PendingCallback => ({
  requestId,
  requestType: 'Create',
  responseUrl: `https://example.com/response/${cfnRequestId}`,
  stackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/SC-111111111111-pp-abc/1',
  cfnRequestId,
  logicalResourceId: 'ApplicationEnvironment',
  physicalResourceId: 'orders',
  receivedAt: '2026-11-25T12:00:00.000Z',
});
