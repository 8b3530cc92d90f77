import { removeDefinitions } from './definitions';
import { stopPool } from './moto-pool';

/** jest's globalTeardown: stops the moto servers `moto-pool.ts` started, removes the definitions. */
export default function globalTeardown(): void {
  stopPool();
  removeDefinitions();
}
