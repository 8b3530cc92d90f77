import type { APIGatewayProxyEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClients } from '../../shared/aws/client-factory';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import type { ApplicationRecord } from '../../shared/ledger/record';
import { checkSuspendedOu } from '../../shared/workflow/offboard/prepare';
import { answerPortalRequest } from '../../shared/workflow/portal-api';
import { createSuspendedOu } from '../support/offboard';
import { sandboxWorld } from '../support/workflow';

const event = (file: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../events/api', file), 'utf8')) as APIGatewayProxyEvent;

/** `DELETE /applications/orders` with this body, signed like the samples. */
function deleteOrders(body: unknown): APIGatewayProxyEvent {
  return {
    ...event('get-application.json'),
    httpMethod: 'DELETE',
    body: body === undefined ? null : JSON.stringify(body),
  };
}

describe('Portal API: DELETE /applications/{name} starts the offboarding', () => {
  const vendStarter = {
    start: async (name: string) => ({
      executionArn: `arn:aws:states:us-east-1:1:execution:appvend-vend:${name}`,
    }),
  };
  let ledger: Ledger;
  let started: { name: string; input: unknown }[];
  const offboarder = {
    start: async (name: string, input: { application: string; executionName: string }) => {
      started.push({ name, input });
      return { executionArn: `arn:aws:states:us-east-1:1:execution:appvend-offboard:${name}` };
    },
  };
  const deps = () => ({ ledger, starter: vendStarter, offboarder });

  beforeEach(async () => {
    ledger = new Ledger(new MemoryLedgerStore());
    started = [];
    await answerPortalRequest(event('post-application.json'), deps());
  });

  async function vended() {
    const record = (await ledger.get('orders'))!;
    await ledger.recordOutcome('orders', record.requestId, {
      application: 'orders',
      status: 'SUCCEEDED',
      accounts: {},
      stackSets: [],
    });
  }

  it('refuses a body that does not repeat the name, and starts nothing', async () => {
    // Prepare
    await vended();

    // Act
    const answers = await Promise.all(
      [undefined, {}, { confirm: 'payroll' }, { confirm: 'orders', closeAccounts: 'yes', force: true }].map(
        (body) => answerPortalRequest(deleteOrders(body), deps()),
      ),
    );

    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([400, 400, 400, 400]);
    expect(answers[2]!.body).toEqual({
      problems: [{ field: 'confirm', message: 'must repeat the application name ("orders")' }],
    });
    expect(
      (answers[3]!.body as { problems: { field: string }[] }).problems.map((p) => p.field).sort(),
    ).toEqual(['closeAccounts', 'force']);
    expect(started).toEqual([]);
    expect((await ledger.get('orders'))!.status).toBe('SUCCEEDED');
  });

  it('refuses while the vend runs (409) and answers 404 for an unknown name', async () => {
    // Act
    const running = await answerPortalRequest(deleteOrders({ confirm: 'orders' }), deps());
    const unknown = await answerPortalRequest(
      {
        ...deleteOrders({ confirm: 'payroll' }),
        path: '/applications/payroll',
        pathParameters: { name: 'payroll' },
      },
      deps(),
    );

    // Assess
    expect(running).toMatchObject({ statusCode: 409, body: { reason: 'in-progress' } });
    expect(unknown.statusCode).toBe(404);
    expect(started).toEqual([]);
  });

  it('starts the offboarding once: 202, then 409 while it runs', async () => {
    // Prepare
    await vended();

    // Act
    const first = await answerPortalRequest(deleteOrders({ confirm: 'orders', closeAccounts: true }), deps());
    const again = await answerPortalRequest(deleteOrders({ confirm: 'orders', closeAccounts: true }), deps());
    const record = (await ledger.get('orders'))!;

    // Assess
    expect(first).toMatchObject({
      statusCode: 202,
      headers: { Location: '/applications/orders' },
      body: { name: 'orders', status: 'OFFBOARDING', location: '/applications/orders' },
    });
    expect(started).toEqual([
      {
        name: record.offboarding!.executionName,
        input: { application: 'orders', executionName: record.offboarding!.executionName },
      },
    ]);
    expect(record.offboarding).toMatchObject({
      closeAccounts: true,
      executionArn: expect.stringContaining('appvend-offboard'),
    });
    expect(again).toMatchObject({ statusCode: 409, body: { reason: 'offboarding' } });
  });

  it('answers 501 on a deployment without the offboarding state machine', async () => {
    // Prepare
    await vended();

    // Act
    const answer = await answerPortalRequest(deleteOrders({ confirm: 'orders' }), {
      ledger,
      starter: vendStarter,
    });

    // Assess
    expect(answer.statusCode).toBe(501);
    expect((await ledger.get('orders'))!.status).toBe('SUCCEEDED');
  });

  describe('checks the suspended OU before it marks anything, as appvend offboard does', () => {
    // The deployed handler's check (services/portal-api/handler.ts), against a sandbox organization.
    let suspendedOuId: string | undefined;
    const checkOffboarding = async (record: ApplicationRecord) => {
      await checkSuspendedOu(awsClients(), suspendedOuId, record.ids?.organizationalUnit);
    };
    const checked = () => ({ ...deps(), checkOffboarding });

    afterAll(() => delete process.env.APPVEND_SUSPENDED_OU_ID);
    beforeEach(async () => {
      sandboxWorld();
      suspendedOuId = undefined;
      await vended();
    });

    it('answers 503 naming the missing setting, and changes nothing, when no suspended OU is set', async () => {
      // Act
      const answer = await answerPortalRequest(deleteOrders({ confirm: 'orders' }), checked());
      const record = (await ledger.get('orders'))!;

      // Assess
      expect(answer.statusCode).toBe(503);
      expect(answer.body.message).toMatch(
        /^offboarding cannot start: APPVEND_SUSPENDED_OU_ID is not set: .*; nothing was changed$/,
      );
      expect(started).toEqual([]);
      expect(record.status).toBe('SUCCEEDED');
      expect(record.offboarding).toBeUndefined();
    });

    it('answers 503 naming the OU when the suspended OU does not exist, and changes nothing', async () => {
      // Prepare
      suspendedOuId = 'ou-abcd-00000000';

      // Act
      const answer = await answerPortalRequest(deleteOrders({ confirm: 'orders' }), checked());

      // Assess
      expect(answer).toMatchObject({
        statusCode: 503,
        body: { message: expect.stringContaining('ou-abcd-00000000, but there is no such OU') },
      });
      expect(started).toEqual([]);
      expect((await ledger.get('orders'))!.status).toBe('SUCCEEDED');
    });

    it('starts the offboarding once the suspended OU exists', async () => {
      // Prepare
      suspendedOuId = await createSuspendedOu();

      // Act
      const answer = await answerPortalRequest(deleteOrders({ confirm: 'orders' }), checked());

      // Assess
      expect(answer.statusCode).toBe(202);
      expect(started).toHaveLength(1);
      expect((await ledger.get('orders'))!.status).toBe('OFFBOARDING');
    });
  });
});
