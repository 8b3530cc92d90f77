/**
 * The sandbox: an in-process model of the AWS APIs appvend calls, behind real AWS SDK v3 clients
 * (DESIGN.md §5). Reached through the client factory, never imported by a handler.
 */
export { Sandbox, type CallRecord, type SandboxOptions } from './sandbox';
export { DEFAULT_LATENCY, type LatencyModel } from './latency-model';
export { FaultInjector, type ArmedFault, type FaultKind, type FaultSpec } from './faults';
export { NotImplementedInSandbox } from './errors';
export { sandboxRetryStrategy } from './retry';
export { SandboxRequestSigner } from './signer';
export type { SandboxStateJson } from './state';
export type {
  AccountView,
  BucketView,
  ConfigView,
  OrganizationView,
  OuView,
  PolicyView,
  StackInstanceView,
} from './views';
