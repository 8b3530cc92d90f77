import { DRY_RUN_ACCOUNT_PAGES } from '../../shared/domain/account-creation';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { awsClients } from '../../shared/aws/client-factory';
import { ledgerFor } from '../../shared/ledger';
import { appendCorrelationKeys, logger } from '../../shared/lambda/step-handler';
import { parsePlatformAdmins } from '../../shared/ledger/principal';
import { StepFunctionsProgress } from '../../shared/workflow/current-step';
import { StepFunctionsStarter } from '../../shared/workflow/intake';
import {
  answerPortalRequest,
  auditOf,
  internalError,
  toProxyResult,
  type PortalAnswer,
} from '../../shared/workflow/portal-api';
import { StepFunctionsOffboardStarter } from '../../shared/workflow/offboard/intake';
import { checkSuspendedOu } from '../../shared/workflow/offboard/prepare';
import { SuspendedOuEnv } from '../../shared/workflow/offboard/settings';
import { PlanEnv, planSettingsFrom, vendPlanner } from '../../shared/workflow/plan';
import { optional, text } from '../../shared/workflow/environment-variables';
import { IntakeEnv, readEnvironment } from '../../shared/workflow/settings';

export const environment = {
  ...IntakeEnv,
  ...PlanEnv,
  /** The offboarding state machine; without it, `DELETE /applications/{name}` answers 501. */
  APPVEND_OFFBOARD_STATE_MACHINE_ARN: optional(IntakeEnv.APPVEND_STATE_MACHINE_ARN),
  /** Checked before an offboarding is marked: unset or missing, DELETE answers 503 and changes nothing. */
  ...SuspendedOuEnv,
  /** Comma-separated IAM role ARNs that may act on every application (the `platformAdmins` context). */
  APPVEND_PLATFORM_ADMINS: optional(text({ maxLength: 8192 })),
};

/**
 * The portal API door: API Gateway (REST, IAM authorization, Lambda proxy) hands every request
 * here. Each request is answered with a status code and a JSON body, never with an exception: an
 * unexpected error is logged with its details and answered 500 with the Lambda request id only.
 * One audit line per request names the caller, the method, the path and the answer.
 */
export const handler = middy(
  async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    logger.appendKeys({ step: 'portal-api' });
    appendCorrelationKeys({ application: event.pathParameters?.name });
    let answer: PortalAnswer;
    try {
      const env = readEnvironment(environment);
      answer = await answerPortalRequest(event, {
        ledger: ledgerFor(env.APPVEND_LEDGER_TABLE),
        starter: new StepFunctionsStarter(env.APPVEND_STATE_MACHINE_ARN),
        progress: new StepFunctionsProgress(),
        // The portal does not enter member accounts: their guardrails are reported unchecked. It
        // answers within one HTTP request, so it reads a bounded part of a large organization.
        planner: vendPlanner(
          awsClients(),
          planSettingsFrom(env, { memberReads: false, accountPages: DRY_RUN_ACCOUNT_PAGES }),
        ),
        platformAdmins: parsePlatformAdmins(env.APPVEND_PLATFORM_ADMINS),
        ...(env.APPVEND_OFFBOARD_STATE_MACHINE_ARN && {
          offboarder: new StepFunctionsOffboardStarter(env.APPVEND_OFFBOARD_STATE_MACHINE_ARN),
        }),
        checkOffboarding: async (record) => {
          await checkSuspendedOu(awsClients(), env.APPVEND_SUSPENDED_OU_ID, record.ids?.organizationalUnit);
        },
      });
    } catch (error) {
      logger.error('portal request failed', { error: error as Error });
      answer = internalError(context.awsRequestId);
    }
    appendCorrelationKeys({
      application: answer.body.name,
      requestId: answer.body.requestId,
      execution: answer.body.executionName ?? (answer.body.execution as { name?: unknown } | undefined)?.name,
    });
    logger.info('portal request answered', { audit: auditOf(event, answer) });
    return toProxyResult(answer);
  },
).use(injectLambdaContext(logger, { resetKeys: true }));
