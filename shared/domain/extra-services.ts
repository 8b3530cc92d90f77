/**
 * Services an application may ask for beyond what every SAM app gets (Lambda, API Gateway, logs).
 * Each maps to a vetted statement set in the cross-account-roles template, scoped to the
 * application's name prefix, never to a free-form policy.
 */
export const EXTRA_SERVICES = ['dynamodb', 'sqs', 'sns', 'stepfunctions', 'eventbridge', 's3'] as const;
export type ExtraService = (typeof EXTRA_SERVICES)[number];

/** The cross-account-roles template parameter that switches a service's statements on. */
export const extraServiceParameter = (service: ExtraService): string =>
  `Allow${
    {
      dynamodb: 'DynamoDB',
      sqs: 'SQS',
      sns: 'SNS',
      stepfunctions: 'StepFunctions',
      eventbridge: 'EventBridge',
      s3: 'S3',
    }[service]
  }`;
