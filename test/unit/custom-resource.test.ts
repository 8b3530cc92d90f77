import { validateRequest } from '../../shared/request/validate';
import {
  RESPONSE_LIMIT_BYTES,
  invalidReason,
  propertyOf,
  requestFromProperties,
  withinLimit,
} from '../../shared/workflow/custom-resource';

const properties = {
  ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:appvend-service-catalog-product',
  ServiceTimeout: '3600',
  AppName: 'orders',
  Owner: 'orders-team@example.com',
  AccountEmail: 'aws+{name}-{stage}@example.com',
  ConnectionArn:
    'arn:aws:codeconnections:us-east-1:111111111111:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  Repository: 'example-org/orders-service',
};

describe('Service Catalog door: custom-resource properties to a request', () => {
  it.each<[string, unknown, unknown]>([
    ['an array (CommaDelimitedList by Ref)', ['test', ' prod '], ['test', 'prod']],
    ['a comma-separated string', 'test, prod', ['test', 'prod']],
    ['an empty list (the default)', [''], undefined],
    ['an empty string (the default)', '', undefined],
  ])('reads Stages given as %s', (_how, stages, expected) => {
    // Act
    const mapped = requestFromProperties({ ...properties, Stages: stages, AllowedServices: stages });

    // Assess
    expect(mapped).toEqual({
      request: expect.objectContaining({
        name: 'orders',
        source: { connectionArn: properties.ConnectionArn, repository: properties.Repository },
      }),
    });
    const request = (mapped as { request: Record<string, unknown> }).request;
    expect(request.stages).toEqual(expected);
    expect(request.allowedServices).toEqual(expected);
  });

  it('refuses unknown properties by name, and anything that is not an object', () => {
    expect(requestFromProperties({ ...properties, CostCenter: 'cc-1' })).toEqual({
      problems: [{ field: 'CostCenter', message: 'unknown property' }],
    });
    expect(requestFromProperties('orders')).toEqual({
      problems: [{ field: 'ResourceProperties', message: 'must be an object' }],
    });
  });

  it('maps the approvers and contact parameters, leaves blank ones out, and names a missing one by its parameter', () => {
    // Act
    const blank = requestFromProperties({
      ...properties,
      ApproversGroup: '',
      ApproversPermissionSet: ' ',
      SecurityContactName: '',
      BillingContactEmail: '',
    });
    const filled = requestFromProperties({
      ...properties,
      ApproversGroup: 'orders-approvers',
      ApproversPermissionSet: 'AppvendApprover',
      SecurityContactName: 'Orders Security',
      SecurityContactTitle: 'Security lead',
      SecurityContactEmail: 'orders-security@example.com',
      SecurityContactPhone: '+1 555 0100',
      BillingContactName: 'Orders Billing',
    });
    if (!('request' in filled) || !('request' in blank)) throw new Error('expected requests');
    const validation = validateRequest(filled.request);

    // Assess
    expect(blank.request).not.toHaveProperty('approvers');
    expect(blank.request).not.toHaveProperty('contacts');
    expect(filled.request.approvers).toEqual({ group: 'orders-approvers', permissionSet: 'AppvendApprover' });
    expect(filled.request.contacts).toEqual({
      security: {
        name: 'Orders Security',
        title: 'Security lead',
        email: 'orders-security@example.com',
        phone: '+1 555 0100',
      },
      billing: { name: 'Orders Billing', title: undefined, email: undefined, phone: undefined },
    });
    expect(validation.valid).toBe(false);
    if (validation.valid) return;
    expect(invalidReason(validation.problems)).toMatch(/BillingContactEmail: /);
    expect(invalidReason(validation.problems)).not.toMatch(/SecurityContact/);
  });

  it("names the product's parameters in the reason, not the request's fields", () => {
    // Act
    const reason = invalidReason([
      { field: 'name', message: 'too short' },
      { field: 'stages.1', message: 'duplicate' },
      { field: 'source.repository', message: 'must be "owner/repo" (GitHub names)' },
    ]);

    // Assess
    expect(reason).toBe(
      'Invalid parameters: AppName: too short; Stages[1]: duplicate; Repository: must be "owner/repo" (GitHub names)',
    );
    expect(propertyOf('(request)')).toBe('(request)');
  });

  it('keeps a response within 4,096 bytes by cutting its reason', () => {
    // Act
    const response = withinLimit({
      Status: 'FAILED',
      Reason: `VendAccounts: ${'é"\n'.repeat(3000)}`,
      PhysicalResourceId: 'orders',
      StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/SC-1/1',
      RequestId: 'r',
      LogicalResourceId: 'ApplicationEnvironment',
    });

    // Assess
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
    expect(response.Reason).toMatch(/^VendAccounts: é/);
    expect(response.Reason!.endsWith(' …')).toBe(true);
  });
});
