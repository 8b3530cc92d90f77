import type { APIGatewayProxyEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import { answerPortalRequest, callerOf, type PortalDependencies } from '../../shared/workflow/portal-api';

const event = (file: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../events/api', file), 'utf8')) as APIGatewayProxyEvent;
const sampleBody = JSON.parse(event('post-application.json').body!) as Record<string, unknown>;

const OWNER_SESSION = 'arn:aws:sts::222222222222:assumed-role/portal-backend/portal';
const STRANGER_SESSION = 'arn:aws:sts::444444444444:assumed-role/payments-team/alice';
const ADMIN_SESSION = 'arn:aws:sts::111111111111:assumed-role/platform-admin/bob';

/** A sample signed by `userArn` instead. */
function signedBy(sample: APIGatewayProxyEvent, userArn: string): APIGatewayProxyEvent {
  const accountId = userArn.split(':')[4]!;
  return {
    ...sample,
    requestContext: {
      ...sample.requestContext,
      identity: { ...sample.requestContext.identity, userArn, accountId },
    },
  };
}

describe('Portal API: who owns an application', () => {
  let ledger: Ledger;
  let started: string[];
  const deps = (): PortalDependencies => ({
    ledger,
    starter: {
      start: async (name) => {
        started.push(name);
        return { executionArn: `arn:aws:states:us-east-1:111111111111:execution:appvend-vend:${name}` };
      },
    },
    offboarder: {
      start: async (name) => {
        started.push(name);
        return { executionArn: `arn:aws:states:us-east-1:111111111111:execution:appvend-offboard:${name}` };
      },
    },
    platformAdmins: ['arn:aws:iam::111111111111:role/platform-admin'],
  });
  const post = (body: Record<string, unknown>, userArn: string) =>
    answerPortalRequest(
      signedBy({ ...event('post-application.json'), body: JSON.stringify(body) }, userArn),
      deps(),
    );
  const page = (userArn: string, query: Record<string, string>) =>
    answerPortalRequest(
      signedBy({ ...event('list-applications.json'), queryStringParameters: query }, userArn),
      deps(),
    );
  const remove = (userArn: string) =>
    answerPortalRequest(
      signedBy(
        {
          ...event('get-application.json'),
          httpMethod: 'DELETE',
          body: JSON.stringify({ confirm: 'orders' }),
        },
        userArn,
      ),
      deps(),
    );
  const vended = async (name: string) => {
    const record = (await ledger.get(name))!;
    await ledger.recordOutcome(name, record.requestId, {
      application: name,
      status: 'SUCCEEDED',
      accounts: {},
      stackSets: [],
    });
  };

  beforeEach(() => {
    ledger = new Ledger(new MemoryLedgerStore());
    started = [];
  });

  it('takes the caller from the verified identity, as its role, and refuses one whose account does not match', () => {
    // Prepare
    const sample = event('get-application.json');
    const forged = {
      ...sample,
      requestContext: {
        ...sample.requestContext,
        identity: { ...sample.requestContext.identity, accountId: '999999999999' },
      },
    };

    // Act / Assess
    expect(callerOf(sample)).toBe('arn:aws:iam::222222222222:role/portal-backend');
    expect(callerOf(forged)).toBeUndefined();
  });

  it('answers 403 to a signed caller it cannot record as an owner, recording nothing', async () => {
    // Act
    const answer = await post(sampleBody, 'arn:aws:sts::222222222222:federated-user/carol');

    // Assess
    expect(answer.statusCode).toBe(403);
    expect(answer.outcome).toBe('unknown-principal');
    expect((await ledger.list()).items).toEqual([]);
    expect(started).toEqual([]);
  });

  it('records the caller as the owner, whatever owner email the body names', async () => {
    // Act
    const answer = await post({ ...sampleBody, owner: 'someone@example.com' }, OWNER_SESSION);

    // Assess
    expect(answer.statusCode).toBe(202);
    expect((await ledger.get('orders'))?.principals).toEqual([
      'arn:aws:iam::222222222222:role/portal-backend',
    ]);
  });

  it("refuses another principal's DELETE with 403, and lets a platform administrator offboard", async () => {
    // Prepare
    await post(sampleBody, OWNER_SESSION);
    await vended('orders');
    const before = await ledger.get('orders');

    // Act
    const byStranger = await remove(STRANGER_SESSION);
    const afterStranger = await ledger.get('orders');
    const byAdmin = await remove(ADMIN_SESSION);

    // Assess
    expect(byStranger.statusCode).toBe(403);
    expect(byStranger.body.reason).toBe('not-owner');
    expect(afterStranger).toEqual(before);
    expect(byAdmin.statusCode).toBe(202);
    expect(started).toHaveLength(2);
  });

  it('lets a manager the request names act, and shows the owners and managers on GET', async () => {
    // Prepare
    const manager = 'arn:aws:iam::444444444444:role/teams/payments-team';
    await post({ ...sampleBody, managers: [manager] }, OWNER_SESSION);
    await vended('orders');

    // Act
    const read = await answerPortalRequest(signedBy(event('get-application.json'), STRANGER_SESSION), deps());
    const offboarded = await remove(STRANGER_SESSION);

    // Assess
    expect(read.statusCode).toBe(200);
    expect(read.body).toMatchObject({
      principals: ['arn:aws:iam::222222222222:role/portal-backend'],
      managers: [manager],
    });
    expect(offboarded.statusCode).toBe(202);
  });

  it("pages through only the caller's applications, skipping the others'", async () => {
    // Prepare: owners alternate by name
    const names = ['app-a', 'app-b', 'app-c', 'app-d', 'app-e', 'app-f', 'app-g'];
    for (const [index, name] of names.entries()) {
      await post({ ...sampleBody, name }, index % 2 === 0 ? OWNER_SESSION : STRANGER_SESSION);
    }

    // Act: two at a time, following the cursor
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const answer = await page(OWNER_SESSION, { limit: '2', ...(cursor && { cursor }) });
      const items = answer.body.items as { name: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((i) => i.name));
      cursor = answer.body.cursor as string | undefined;
      pages += 1;
    } while (cursor && pages < 10);
    const byAdmin = await page(ADMIN_SESSION, { limit: '100' });

    // Assess
    expect(seen).toEqual(['app-a', 'app-c', 'app-e', 'app-g']);
    expect((byAdmin.body.items as unknown[]).length).toBe(7);
  });
});
