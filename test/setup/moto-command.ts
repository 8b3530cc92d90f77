import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * How the tests start moto: `scripts/moto-server.py`, moto's own server answering one request at
 * a time, so that a conditional write is atomic as it is on AWS (see that script). It takes
 * `moto_server`'s arguments and needs the Python that has moto installed (`python3`).
 */
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'moto-server.py');

export function spawnMotoServer(port: number): ChildProcess {
  return spawn('python3', [SCRIPT, '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
}

/** Whether moto can be started here: Python finds moto and the script runs. */
export function motoServerInstalled(): boolean {
  return spawnSync('python3', [SCRIPT, '--help'], { stdio: 'ignore' }).status === 0;
}
