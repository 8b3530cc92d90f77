/**
 * The world of the access matrix: application `orders` (tooling 111111111111, test 222222222222,
 * prod 333333333333) and a second application `billing` (tooling 444444444444, test 555555555555,
 * prod 666666666666; allowed services dynamodb and s3), each in its own OU with its own SCP, vended from the same synthesized
 * templates; plus the non-vended principals the questions are about.
 */
import sample from '../../events/application-request.json';
import { synthesizeVendedTemplates } from '../../infra/templates';
import {
  ACCOUNT_ACCESS_ROLE,
  DEPLOYER_ROLE,
  PIPELINE_CFN_ROLE,
  artifactBucketName,
  artifactKeyAlias,
} from '../../shared/domain/naming';
import { parseRequest } from '../../shared/request/validate';
import { ADMINISTRATOR_ACCESS, AccessSimulator } from './simulate';
import { VendedWorld } from './vended-world';

export const REGION = 'us-east-1';
export const MANAGEMENT = '999999999999';
export const ORDERS = { tooling: '111111111111', test: '222222222222', prod: '333333333333' } as const;
export const BILLING = { tooling: '444444444444', test: '555555555555', prod: '666666666666' } as const;
/** An account outside the organization. */
export const OUTSIDER = '777777777777';

export const role = (account: string, name: string): string => `arn:aws:iam::${account}:role/${name}`;
export const policyArn = (account: string, name: string): string => `arn:aws:iam::${account}:policy/${name}`;

/** Vended principals and resources of `orders`, by their deterministic names. */
export const V = {
  pipelineRole: role(ORDERS.tooling, 'appvend-orders-pipeline'),
  buildRole: role(ORDERS.tooling, 'appvend-orders-build'),
  testCfnRole: role(ORDERS.test, PIPELINE_CFN_ROLE),
  prodCfnRole: role(ORDERS.prod, PIPELINE_CFN_ROLE),
  testDeployer: role(ORDERS.test, DEPLOYER_ROLE),
  prodDeployer: role(ORDERS.prod, DEPLOYER_ROLE),
  testBoundary: policyArn(ORDERS.test, 'appvend-orders-boundary'),
  prodConfigRecorder: role(ORDERS.prod, 'appvend-orders-config-recorder'),
  testConfigRecorder: role(ORDERS.test, 'appvend-orders-config-recorder'),
  toolingNotifier: role(ORDERS.tooling, 'appvend-orders-compliance-notifier'),
  bucket: artifactBucketName('orders', ORDERS.tooling),
  keyAlias: artifactKeyAlias('orders'),
  billingPipelineRole: role(BILLING.tooling, 'appvend-billing-pipeline'),
  billingTestCfnRole: role(BILLING.test, PIPELINE_CFN_ROLE),
  billingTestDeployer: role(BILLING.test, DEPLOYER_ROLE),
} as const;

/** Principals the vend does not create. */
export const A = {
  /** A tooling-account developer with AdministratorAccess. */
  toolingDeveloper: role(ORDERS.tooling, 'developer'),
  /** A test-account developer with AdministratorAccess. */
  testDeveloper: role(ORDERS.test, 'developer'),
  /** The role CreateAccount creates; appvend's StackSets execution role. */
  testOrgAccessRole: role(ORDERS.test, 'OrganizationAccountAccessRole'),
  /** The same role in the tooling account: CloudFormation deploys the artifact store through it. */
  toolingOrgAccessRole: role(ORDERS.tooling, 'OrganizationAccountAccessRole'),
  /** An administrator of the other application's tooling account (regulated profile). */
  billingDeveloper: role(BILLING.tooling, 'developer'),
  /** The access role in that account, which appvend works through. */
  billingOrgAccessRole: role(BILLING.tooling, 'OrganizationAccountAccessRole'),
  /** An administrator outside the organization. */
  outsider: role(OUTSIDER, 'admin'),
  /** An orders release approver: the Identity Center role of the request's `approvers.permissionSet` in tooling. */
  ordersApprover: role(
    ORDERS.tooling,
    'aws-reserved/sso.amazonaws.com/us-east-1/AWSReservedSSO_OrdersRelease_0123456789abcdef',
  ),
  /** An Identity Center administrator of the tooling account, of another permission set. */
  toolingSsoAdministrator: role(
    ORDERS.tooling,
    'aws-reserved/sso.amazonaws.com/us-east-1/AWSReservedSSO_AdministratorAccess_fedcba9876543210',
  ),
  /** A role the orders application stack created: AdministratorAccess attached, held by the boundary. */
  testFunctionRole: role(ORDERS.test, 'orders-fn-role'),
} as const;

export function buildWorld(): { world: VendedWorld; simulator: AccessSimulator } {
  const templates = synthesizeVendedTemplates();
  // orders names its release approvers; billing does not (only the access role may approve there).
  const orders = parseRequest({
    ...sample,
    approvers: { group: 'Orders Releasers', permissionSet: 'OrdersRelease' },
  });
  const billing = parseRequest({
    ...sample,
    name: 'billing',
    // The other profile, so that the matrix answers for both SCPs.
    profile: 'regulated',
    allowedServices: ['dynamodb', 's3'],
    source: {
      ...sample.source,
      connectionArn: `arn:aws:codeconnections:${REGION}:${BILLING.tooling}:connection/11111111-2222-4333-8444-555555555555`,
    },
  });
  // The service's default: one role for appvend's access and for StackSets' execution.
  const exemptRoles = { memberRoleName: ACCOUNT_ACCESS_ROLE, executionRoleName: ACCOUNT_ACCESS_ROLE };
  const notificationTopicArn = `arn:aws:sns:${REGION}:${MANAGEMENT}:appvend-security-notifications`;
  const accounts = (ids: { tooling: string; test: string; prod: string }) => [
    { stage: 'tooling', id: ids.tooling },
    { stage: 'test', id: ids.test },
    { stage: 'prod', id: ids.prod },
  ];
  const world = new VendedWorld()
    .addApplication(templates, {
      request: orders,
      exemptRoles,
      accounts: accounts(ORDERS),
      notificationTopicArn,
      region: REGION,
    })
    .addApplication(templates, {
      request: billing,
      exemptRoles,
      accounts: accounts(BILLING),
      notificationTopicArn,
      region: REGION,
    });
  const admin = { AdministratorAccess: ADMINISTRATOR_ACCESS };
  world
    .addActor(A.toolingDeveloper, admin)
    .addActor(A.testDeveloper, admin)
    .addActor(A.testOrgAccessRole, admin)
    .addActor(A.toolingOrgAccessRole, admin)
    .addActor(A.billingDeveloper, admin)
    .addActor(A.billingOrgAccessRole, admin)
    .addActor(A.outsider, admin)
    .addActor(A.ordersApprover, admin)
    .addActor(A.toolingSsoAdministrator, admin)
    .addActor(A.testFunctionRole, admin, {
      name: V.testBoundary,
      policy: world.managedPolicy(V.testBoundary).policy,
    });
  return { world, simulator: new AccessSimulator(world) };
}
