import { ConstraintViolationException, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { closeAccount } from '../../shared/aws/organizations/offboarding';
import { AccountClosuresBusyError, QuotaExceededError } from '../../shared/errors';

/** A client whose every call AWS refuses with ConstraintViolationException for `reason`. */
const refusing = (reason: string) =>
  ({
    send: () =>
      Promise.reject(
        new ConstraintViolationException({ message: 'refused', $metadata: {}, Reason: reason as never }),
      ),
  }) as unknown as OrganizationsClient;

describe('Function: closeAccount', () => {
  it('turns CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED into AccountClosuresBusyError, which the state machine retries', async () => {
    // Act
    const error = await closeAccount(refusing('CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED'), '222222222222').catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(AccountClosuresBusyError);
    expect((error as Error).cause).toBeInstanceOf(ConstraintViolationException);
  });

  it('turns CLOSE_ACCOUNT_QUOTA_EXCEEDED into QuotaExceededError that says what to do', async () => {
    // Act
    const error = await closeAccount(refusing('CLOSE_ACCOUNT_QUOTA_EXCEEDED'), '222222222222').catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((error as Error).message).toMatch(
      /closure quota for the past 30 days is used up.*APPVEND_CLOSURE_SHARE/,
    );
  });

  it('passes other constraint violations through as they are', async () => {
    // Act
    const error = await closeAccount(refusing('MASTER_ACCOUNT_CANNOT_BE_CLOSED'), '222222222222').catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(ConstraintViolationException);
  });
});
