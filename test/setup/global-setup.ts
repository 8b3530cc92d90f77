import { writeDefinitions } from './definitions';
import startMotoPool from './moto-pool';

/** jest's globalSetup: the run's moto servers (moto-pool.ts) and its state machine definitions. */
export default async function globalSetup(
  globalConfig: Parameters<typeof startMotoPool>[0],
  projectConfig?: unknown,
): Promise<void> {
  writeDefinitions();
  await startMotoPool(globalConfig, projectConfig);
}
