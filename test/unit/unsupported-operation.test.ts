import { isUnimplementedAnswer, operationName } from '../../shared/aws/unsupported-operation';

/** An error as the SDK's deserializer leaves it: the raw response hidden on `$response`. */
function unreadable(statusCode: number, contentType: string): Error {
  const error = new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON`);
  Object.defineProperty(error, '$response', {
    value: { statusCode, headers: { 'Content-Type': contentType } },
    enumerable: false,
  });
  return error;
}

describe('Classifier: isUnimplementedAnswer', () => {
  it('recognises an HTML page (any status) and a 404 that the SDK could not read', () => {
    // Act / Assess
    expect(isUnimplementedAnswer(unreadable(500, 'text/html; charset=utf-8'))).toBe(true);
    expect(isUnimplementedAnswer(unreadable(404, 'application/json'))).toBe(true);
  });

  it("leaves AWS's own errors, network failures and other values alone", () => {
    // Prepare
    const serviceError = Object.assign(unreadable(404, 'text/html'), { $fault: 'client' });
    const unreadableJson = unreadable(500, 'application/x-amz-json-1.1');

    // Act / Assess
    expect(isUnimplementedAnswer(serviceError)).toBe(false);
    expect(isUnimplementedAnswer(unreadableJson)).toBe(false);
    expect(isUnimplementedAnswer(new Error('socket hang up'))).toBe(false);
    expect(isUnimplementedAnswer(undefined)).toBe(false);
    expect(isUnimplementedAnswer('text')).toBe(false);
  });

  it('names the operation as Service:Operation from the client and command names', () => {
    // Act / Assess
    expect(operationName('ConfigServiceClient', 'PutOrganizationConfigRuleCommand')).toBe(
      'ConfigService:PutOrganizationConfigRule',
    );
    expect(operationName(undefined, undefined)).toBe('unknown:unknown');
  });
});
