import { stopPool } from './moto-pool';

/** jest's globalTeardown: stops the moto servers `moto-pool.ts` started for the run. */
export default function globalTeardown(): void {
  stopPool();
}
