/**
 * What an `Application Requested` event carries: source and detail-type (the detail is the
 * request). The rule matches them, and the EventBridge door checks them again itself.
 */
export const APPLICATION_REQUESTED = { source: 'appvend', detailType: 'Application Requested' } as const;
