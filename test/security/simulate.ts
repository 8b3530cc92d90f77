/**
 * Asks `@cloud-copilot/iam-simulate` an access question about the vended world.
 *
 * The request is modelled the way AWS evaluates it:
 * - identity policies (and permissions boundary) are those of the calling principal, as vended or
 *   as the test gives an actor; an AWS service principal has none;
 * - the resource policy is the one AWS consults for that action and resource: the role's trust
 *   policy for `sts:AssumeRole`, the key policy for `kms:*` on a key, the bucket policy for `s3:*`;
 * - the SCPs are those of the principal's account (root, the application OU, the account); SCPs do
 *   not apply to service principals;
 * - the resource account is the resource's owner, so a request is cross-account exactly when it is
 *   in AWS, and the simulator then requires both the identity policy and the resource policy
 *   (KMS and STS also require the resource policy in the same account, as AWS does).
 * - `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:SecureTransport` (true) and, for a vended key,
 *   `kms:ResourceAliases` are filled in as AWS would; the question may override them.
 */
import { runSimulation, type EvaluationResult, type RequestAnalysis } from '@cloud-copilot/iam-simulate';
import { accountOf, type PolicyDocument, type VendedWorld } from './vended-world';

export interface Question {
  /** An IAM role ARN (the session's role) or an AWS service principal (`cloudformation.amazonaws.com`). */
  principal: string;
  action: string;
  resource: string;
  /** Needed only when the resource ARN carries no account and no vended resource owns it. */
  resourceAccount?: string;
  context?: Record<string, string | string[]>;
}

export interface Answer {
  /** `principal action resource`, as asked. */
  asked: string;
  decision: EvaluationResult;
  /** One line per layer: `identity=Allowed[ApplicationStacks]` … */
  layers: Record<string, string>;
  blockedBy: string[];
}

const isServicePrincipal = (principal: string): boolean =>
  /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(principal);

type Analysis = NonNullable<RequestAnalysis['identityAnalysis']>;
const describe = (
  analysis: Pick<Analysis, 'allowStatements' | 'denyStatements'> & { result: string },
): string => {
  const ids = (list: Analysis['allowStatements']) =>
    list.map((s) => `${s.policyId ?? ''}#${s.statement.sid() ?? s.statement.index()}`).join(',');
  const allow = ids(analysis.allowStatements);
  const deny = ids(analysis.denyStatements);
  return `${analysis.result}${allow ? ` allow[${allow}]` : ''}${deny ? ` deny[${deny}]` : ''}`;
};

export class AccessSimulator {
  constructor(private readonly world: VendedWorld) {}

  async ask(question: Question): Promise<Answer> {
    const { principal, action, resource } = question;
    const service = isServicePrincipal(principal);
    const model = service ? undefined : this.world.principal(principal);
    if (!service && !model) throw new Error(`Unknown principal ${principal}: add it with world.addActor`);
    const { resourcePolicy, resourceAccount, defaults } = this.resourceSide(question);

    const context: Record<string, string | string[]> = {
      ...(service ? {} : { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': accountOf(principal) }),
      'aws:SecureTransport': 'true',
      // AWS sets the owner of the resource on every request to an existing resource.
      ...(resourceAccount ? { 'aws:ResourceAccount': resourceAccount } : {}),
      ...defaults,
      ...question.context,
    };
    const result = await runSimulation(
      {
        request: {
          principal,
          action,
          resource: { resource, accountId: resourceAccount },
          contextVariables: context,
        },
        identityPolicies: (model?.identityPolicies ?? []).map(({ name, policy }) => ({ name, policy })),
        ...(model?.permissionsBoundary
          ? {
              permissionBoundaryPolicies: [
                { name: model.permissionsBoundary.name, policy: model.permissionsBoundary.policy },
              ],
            }
          : {}),
        serviceControlPolicies: model ? this.world.serviceControlPolicies(model.account) : [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      { simulationMode: 'Strict' },
    );
    if (result.resultType === 'error') {
      throw new Error(`iam-simulate refused ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
    }
    const single = result.resultType === 'single' ? result.result : result.results[0];
    if (!single) throw new Error(`iam-simulate ran no simulation for ${action} on ${resource}`);
    // A context key the simulator drops (it does not apply to the action) would silently change the
    // question: the test must name only keys AWS sends with this request.
    const ignored = (single.ignoredContextKeys ?? []).filter((key) => key in (question.context ?? {}));
    if (ignored.length > 0) {
      throw new Error(`Context keys ${ignored.join(', ')} do not apply to ${action} on ${resource}`);
    }
    const analysis = single.analysis;
    const layers: Record<string, string> = {};
    if (analysis.identityAnalysis) layers.identity = describe(analysis.identityAnalysis);
    if (analysis.permissionBoundaryAnalysis) layers.boundary = describe(analysis.permissionBoundaryAnalysis);
    if (analysis.resourceAnalysis) layers.resource = describe(analysis.resourceAnalysis);
    if (analysis.scpAnalysis && analysis.scpAnalysis.ouAnalysis.length > 0) {
      const denies = analysis.scpAnalysis.ouAnalysis.flatMap((ou) =>
        ou.denyStatements.map((s) => `${ou.orgIdentifier}#${s.statement.sid() ?? s.statement.index()}`),
      );
      layers.scp = `${analysis.scpAnalysis.result}${denies.length ? ` deny[${denies.join(',')}]` : ''}`;
    }
    return {
      asked: `${principal} ${action} ${resource}`,
      decision: result.overallResult,
      layers,
      blockedBy: analysis.blockedBy ?? [],
    };
  }

  /** The resource policy AWS consults for this action and resource, and the resource's owner. */
  private resourceSide(question: Question): {
    resourcePolicy?: PolicyDocument;
    resourceAccount: string;
    defaults: Record<string, string | string[]>;
  } {
    const { action, resource } = question;
    const service = action.split(':')[0]?.toLowerCase();
    const arnAccount = resource.split(':')[4];
    const fallback =
      question.resourceAccount ?? (arnAccount && /^\d{12}$/.test(arnAccount) ? arnAccount : undefined);

    if (service === 'sts' && /^sts:AssumeRole$/i.test(action)) {
      const role = this.world.roles.get(resource);
      if (!role)
        throw new Error(`sts:AssumeRole of ${resource}: not a vended role, its trust policy is unknown`);
      return { resourcePolicy: role.trustPolicy, resourceAccount: role.account, defaults: {} };
    }
    if (service === 'kms') {
      const key = this.world.keys.get(resource);
      if (key) {
        return {
          resourcePolicy: key.policy,
          resourceAccount: key.account,
          defaults: { 'kms:ResourceAliases': key.aliases },
        };
      }
    }
    if (service === 's3') {
      const bucket = resource.replace(/^arn:aws[a-z-]*:s3:::/, '').split('/')[0] ?? '';
      const policy = this.world.bucketPolicies.get(bucket);
      if (policy) return { resourcePolicy: policy.policy, resourceAccount: policy.account, defaults: {} };
    }
    if (!fallback) throw new Error(`The owner account of ${resource} is unknown: give resourceAccount`);
    return { resourceAccount: fallback, defaults: {} };
  }
}

/**
 * One line a reviewer can read in a failure message: the decision first, then the question and
 * each layer's result with the statements that matched, e.g.
 * `ImplicitlyDenied | arn:…:role/developer sts:AssumeRole arn:…:role/X | identity=Allowed allow[AdministratorAccess#0] | resource=ImplicitlyDenied`.
 */
export const verdict = (answer: Answer): string =>
  [
    answer.decision,
    answer.asked,
    ...Object.entries(answer.layers).map(([layer, result]) => `${layer}=${result}`),
    ...(answer.blockedBy.length ? [`blockedBy=${answer.blockedBy.join(',')}`] : []),
  ].join(' | ');

/** `{ Version, Statement: [{ Effect: Allow, Action: *, Resource: * }] }`: an AdministratorAccess stand-in. */
export const ADMINISTRATOR_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
