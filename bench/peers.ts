import type { LatencyModel } from '../shared/sandbox';
import type { VendShape } from './bound';

/**
 * Other ways of doing appvend's work, modelled on the same latency model: each creates the OU and
 * the SCP (synchronous, no time), the three accounts of each application, the four stack sets and
 * the guardrails (the guardrails stack set, then the conformance pack), and differs only in how it
 * schedules them — which is what each source documents. Everything a source does not document is
 * modelled at its fastest (no time lost between steps, the same dependency graph as appvend's
 * bound), so each figure favours the peer.
 */
export interface Peer {
  name: string;
  /** How it schedules the work, in a sentence. */
  procedure: string;
  /** Where the schedule comes from: a quote and its address. */
  sources: { quote: string; url: string }[];
  /** Its time for `applications` applications submitted at once, in ms. */
  makespanMs(latency: LatencyModel, shape: VendShape, applications: number): number;
}

/** Rounded up to the next look of a watcher that looks every `everyMs`. */
const seenAfter = (ms: number, everyMs: number) => Math.ceil(ms / everyMs) * everyMs;

/** One stack set operation deploying all its instances at once. */
const operation = (latency: LatencyModel) => latency.stackSetOperationOverhead + latency.stackInstanceCreate;

/** After the last account is ACTIVE: its access role, then appvend's three branches at their fastest. */
function idealTail(latency: LatencyModel): number {
  const op = operation(latency);
  return latency.accessRolePropagation + Math.max(2 * op, op, op + latency.conformancePackDeploy);
}

/** Accounts created `concurrency` at a time, each seen done by a watcher every `pollMs`. */
function accountsInRounds(
  latency: LatencyModel,
  accounts: number,
  concurrency: number,
  pollMs: number,
): number {
  return Math.ceil(accounts / concurrency) * seenAfter(latency.createAccount, pollMs);
}

export const PEERS: Peer[] = [
  {
    name: 'one account at a time (Landing Zone Accelerator)',
    procedure:
      "LZA's create-accounts custom resource takes one account from its table per isComplete call, creates it and " +
      'waits for it before taking the next; the CDK Provider calls isComplete every 15 s. Then the stack sets and ' +
      'guardrails at their fastest.',
    sources: [
      {
        quote:
          '`getSingleAccountConfigFromTable()` (a Scan with `Limit: 1`): "get a single accountConfig from table and attempt to create"; IsComplete stays false while it is IN_PROGRESS',
        url: 'https://github.com/awslabs/landing-zone-accelerator-on-aws/blob/main/source/packages/@aws-accelerator/constructs/lib/aws-organizations/create-accounts-status/index.ts',
      },
      {
        quote: '`queryInterval: cdk.Duration.seconds(15)` on the CreateOrganizationAccountsProvider',
        url: 'https://github.com/awslabs/landing-zone-accelerator-on-aws/blob/main/source/packages/@aws-accelerator/constructs/lib/aws-organizations/create-accounts.ts',
      },
    ],
    makespanMs: (latency, shape, applications) =>
      accountsInRounds(latency, applications * (shape.stages + 1), 1, 15_000) + idealTail(latency),
  },
  {
    name: 'five concurrent account operations (Control Tower, AFT default)',
    procedure:
      'Accounts five at a time, seen done the moment they are, then the stack sets and guardrails at their fastest: ' +
      "Control Tower's documented limit on account operations, and AFT's default concurrency.",
    sources: [
      {
        quote:
          'You can perform up to five (5) account-related operations concurrently, including provisioning, updating, and enrolling.',
        url: 'https://docs.aws.amazon.com/controltower/latest/userguide/provision-and-manage-accounts.html',
      },
      {
        quote:
          'The maximum concurrency is configurable via the new concurrent_account_factory_actions parameter. (default: 5, the default limit for AWS Control Tower Account Factory concurrent provisioning)',
        url: 'https://github.com/aws-ia/terraform-aws-control_tower_account_factory/releases/tag/1.9.0',
      },
    ],
    makespanMs: (latency, shape, applications) =>
      accountsInRounds(latency, applications * (shape.stages + 1), 5, 1) + idealTail(latency),
  },
  {
    name: "the seed's procedure (by hand, one application after another)",
    procedure:
      'The procedure appvend grew from (bench/reference.ts), with the same work added: the accounts one after ' +
      'another (looked at every 5 s), then the stacks one after another — artifact store, roles in each stage, ' +
      'pipeline, artifact store again, pipeline again —, then the guardrails stack set and the conformance pack; ' +
      'one application after another.',
    sources: [
      {
        quote:
          'create the accounts one after another, then deploy the stacks one after another, by hand: artifact store (tooling), roles in test, roles in prod, pipeline (tooling), artifact store again, pipeline again',
        url: 'bench/reference.ts',
      },
    ],
    makespanMs: (latency, shape, applications) => {
      const accounts = (shape.stages + 1) * seenAfter(latency.createAccount, 5_000);
      const creates = (2 + shape.stages) * seenAfter(operation(latency), 5_000);
      const updates = 2 * seenAfter(latency.stackSetOperationOverhead + latency.stackInstanceUpdate, 5_000);
      const guardrails =
        seenAfter(operation(latency), 5_000) + seenAfter(latency.conformancePackDeploy, 5_000);
      const one = accounts + latency.accessRolePropagation + creates + updates + guardrails;
      return applications * one;
    },
  },
];

export interface PeerFigure {
  name: string;
  procedure: string;
  sources: Peer['sources'];
  /** One row per measured point: the peer's time and its ratio to appvend's measured time. */
  points: { applications: number; makespanMs: number; appvendMs: number; ratio: number }[];
}

/** Every peer at each point appvend was measured at (applications → appvend's measured makespan). */
export function comparePeers(
  latency: LatencyModel,
  shape: VendShape,
  measured: { applications: number; makespanMs: number }[],
): PeerFigure[] {
  return PEERS.map((peer) => ({
    name: peer.name,
    procedure: peer.procedure,
    sources: peer.sources,
    points: measured.map(({ applications, makespanMs }) => {
      const peerMs = peer.makespanMs(latency, shape, applications);
      return { applications, makespanMs: peerMs, appvendMs: makespanMs, ratio: peerMs / makespanMs };
    }),
  }));
}
