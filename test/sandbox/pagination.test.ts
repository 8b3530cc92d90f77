import { ListStackSetsCommand } from '@aws-sdk/client-cloudformation';
import { DescribeConformancePacksCommand } from '@aws-sdk/client-config-service';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { failure, world } from './support';

/**
 * Paging as the sandbox answers it, through the real SDK clients: each service refuses a token it
 * did not issue and a page size out of range with its own error, as AWS does.
 */
describe('Class: Sandbox', () => {
  describe('Paging (NextToken, MaxResults)', () => {
    it('Organizations: a NextToken it did not issue is InvalidInputException INVALID_NEXT_TOKEN (HTTP 400)', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.organizations.send(new ListAccountsCommand({ NextToken: 'not-a-token' })),
      );

      // Assess
      expect(error.name).toBe('InvalidInputException');
      expect(error.Reason).toBe('INVALID_NEXT_TOKEN');
      expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
    });

    it('Organizations: MaxResults above 20 is InvalidInputException MAX_VALUE_EXCEEDED', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(w.organizations.send(new ListAccountsCommand({ MaxResults: 21 })));

      // Assess
      expect(error.name).toBe('InvalidInputException');
      expect(error.Reason).toBe('MAX_VALUE_EXCEEDED');
    });

    it('Config: a nextToken it did not issue is InvalidNextTokenException', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.config.send(new DescribeConformancePacksCommand({ NextToken: 'not-a-token' })),
      );

      // Assess
      expect(error.name).toBe('InvalidNextTokenException');
    });

    it('CloudFormation: a NextToken it did not issue is a ValidationError', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.cloudformation.send(new ListStackSetsCommand({ NextToken: 'not-a-token' })),
      );

      // Assess
      expect(error.name).toBe('ValidationError');
    });
  });
});
