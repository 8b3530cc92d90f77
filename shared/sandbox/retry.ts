import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryStrategyV2 } from '@smithy/types';

/**
 * The SDK's own retry strategy (standard mode: its attempts, which errors it retries, its retry
 * quota), with no time between attempts. The sandbox's clock is virtual: the SDK's backoff, a
 * random wait of up to 1 s, 2 s, 4 s… after a throttling error, would pass in real time and change
 * nothing the sandbox sees. A run under injected faults then takes the time of its calls alone.
 */
export function sandboxRetryStrategy(maxAttempts: number): RetryStrategyV2 {
  return new StandardRetryStrategy({
    maxAttempts,
    backoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined },
  });
}
