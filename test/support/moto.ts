import {
  OrganizationsClient,
  CreateOrganizationCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { motoServerInstalled, spawnMotoServer } from '../setup/moto-command';
import { returnPooledServer, takePooledServer } from '../setup/moto-pool';

/**
 * moto server for the tests. CI (`.ci/run`) starts one and sets MOTO_ENDPOINT; without it the
 * tests start their own on a free loopback port (scripts/moto-server.py) when moto is installed. Off CI, a
 * machine without moto skips these suites with a message; on CI a missing moto fails them.
 */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
export const MOTO_REGION = 'us-east-1';

export function motoAvailable(): boolean {
  if (process.env.MOTO_ENDPOINT) return true;
  return motoServerInstalled();
}

/** `describe` when moto can be reached; otherwise a skip, which CI turns into a failure. */
export function describeWithMoto(name: string, body: () => void): void {
  if (motoAvailable()) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('needs moto (Python 3 with moto installed, on this machine image; .ci/run starts it)', () => {
        throw new Error(
          'python3 cannot run scripts/moto-server.py (moto not installed) and MOTO_ENDPOINT is not set',
        );
      });
    });
    return;
  }
  describe.skip(`${name} (skipped: moto not installed)`, body);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitUntilReady(endpoint: string, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`scripts/moto-server.py exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`moto server at ${endpoint} did not answer within 30 s`);
}

/**
 * The service's session in the platform account (its role `appvend-service`), assumed with
 * `management`'s client settings: moto ties assumed-role keys to the role's account, so calls
 * signed with these come from the platform account.
 */
export async function platformServiceCredentials(
  management: STSClientConfig,
  platform: string,
): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const { Credentials } = await new STSClient(management).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${platform}:role/appvend-service`,
      RoleSessionName: 'appvend',
    }),
  );
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
}

export interface MotoServer {
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A moto server for this suite alone, reset: one of the run's pool (test/setup/moto-pool.ts, which
 * includes MOTO_ENDPOINT when set), or, when none is free, a private server started here. Either
 * way no other file resets it or sees its state while the suite holds it (jest runs files in
 * parallel); `stop()` gives a pooled server back and stops a private one. `isolated` is kept for
 * the callers that asked for a server of their own: every server is now theirs alone.
 */
export async function startMoto(_options: { isolated?: boolean } = {}): Promise<MotoServer> {
  const pooled = takePooledServer();
  let endpoint: string;
  let child: ChildProcess | undefined;
  if (pooled !== undefined) {
    endpoint = `http://127.0.0.1:${pooled}`;
  } else {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    child = spawnMotoServer(port);
  }
  await waitUntilReady(endpoint, child);
  const url = endpoint;
  const reset = async () => {
    const response = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
    if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
  };
  // What the previous holder left behind is gone before this suite starts.
  if (pooled !== undefined) await reset();
  let stopped = false;
  return {
    endpoint: url,
    reset,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (pooled !== undefined) return returnPooledServer(pooled);
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * What a platform team has before installing appvend: an organization with all features and
 * service control policies enabled. moto starts with none.
 */
export async function bootstrapOrganization(
  endpoint: string,
): Promise<{ rootId: string; managementAccountId: string }> {
  const client = new OrganizationsClient({ region: MOTO_REGION, endpoint, credentials: MOTO_CREDENTIALS });
  const { Organization } = await client.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const { Roots } = await client.send(new ListRootsCommand({}));
  const rootId = Roots![0]!.Id!;
  await client.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
  return { rootId, managementAccountId: Organization!.MasterAccountId! };
}
