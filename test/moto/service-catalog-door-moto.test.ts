import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { handler as outcomeHandler } from '../../services/service-catalog-outcome/handler';
import { handler as productHandler } from '../../services/service-catalog-product/handler';
import { ledgerFor } from '../../shared/ledger';
import { DynamoDbLedgerStore } from '../../shared/ledger/dynamodb-store';
import type { CustomResourceRequest, CustomResourceResponse } from '../../shared/workflow/custom-resource';
import type { VendSummary } from '../../shared/workflow/types';
import { callbackContract } from '../ledger/callback-contract';
import {
  createLedgerTable,
  lambdaContext,
  openFrontDoorWorld,
  type FrontDoorWorld,
} from '../support/front-doors';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto } from '../support/moto';

const SAMPLES = join(__dirname, '../../events/service-catalog');
const read = <T>(file: string) => JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as T;
const TABLE = 'appvend-ledger';
const context = lambdaContext('appvend-service-catalog-product');

/** Stands in for CloudFormation's pre-signed S3 URLs: records every PUT by path. */
class ResponseUrls {
  public readonly received: { path: string; body: CustomResourceResponse }[] = [];
  private server?: Server;
  private base = '';

  public async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'PUT') {
          this.received.push({
            path: req.url ?? '',
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          });
        }
        res.writeHead(req.url?.startsWith('/expired') ? 403 : 200).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A sample with its ResponseURL pointed here, under a path of its own. */
  public aim(request: CustomResourceRequest, path = `/${randomUUID()}`): CustomResourceRequest {
    return { ...request, ResponseURL: `${this.base}${path}`, RequestId: randomUUID() };
  }

  public to(request: CustomResourceRequest) {
    return this.received.filter((r) => request.ResponseURL.endsWith(r.path)).map((r) => r.body);
  }
}

describeWithMoto(
  'Service Catalog door: the custom resource and the outcome over DynamoDB and Step Functions (moto)',
  () => {
    let world: FrontDoorWorld;
    const urls = new ResponseUrls();

    beforeAll(async () => {
      world = await openFrontDoorWorld(TABLE);
      await urls.start();
    }, 60_000);

    afterAll(async () => {
      await urls.stop();
      await world?.moto.stop();
    });

    const executions = () => world.executions();
    const ledger = () => ledgerFor(TABLE);
    /** What summarize-vend does at the end of a vend, then the rule's delivery of its event. */
    async function endVend(file: string, requestId: string) {
      const event = read<{ detail: VendSummary & { requestId: string } }>(file);
      const detail = { ...event.detail, requestId };
      await ledger().recordOutcome(detail.application, requestId, detail);
      return outcomeHandler({ ...event, detail }, context);
    }

    it.each(readdirSync(SAMPLES).filter((f) => f.startsWith('invalid-')))(
      'answers %s FAILED at once, naming the parameters, and starts and records nothing',
      async (file) => {
        // Prepare
        const request = urls.aim(read<CustomResourceRequest>(file));
        const before = (await executions()).length;

        // Act
        const outcome = await productHandler(request, context);

        // Assess
        const [response, ...more] = urls.to(request);
        expect(more).toEqual([]);
        expect(outcome).toMatchObject({ answered: 'FAILED' });
        expect(response).toMatchObject({
          Status: 'FAILED',
          StackId: request.StackId,
          RequestId: request.RequestId,
          LogicalResourceId: 'ApplicationEnvironment',
          PhysicalResourceId: expect.any(String),
        });
        expect(response!.Reason).toMatch(/^Invalid parameters: /);
        const named = {
          'invalid-name-and-stages.json': ['AppName', 'Stages'],
          'invalid-owner-services-repository.json': ['Owner', 'AllowedServices', 'Repository'],
          'invalid-unknown-parameter.json': ['CostCenter'],
        }[file] ?? ['?'];
        for (const parameter of named) expect(response!.Reason).toContain(parameter);
        expect(await executions()).toHaveLength(before);
        expect((await ledger().list()).items).toEqual([]);
      },
    );

    it('starts one vend for Create (sent twice) and answers both when the vend succeeds, with the account ids', async () => {
      // Prepare
      const create = urls.aim(read<CustomResourceRequest>('create.json'));
      const resent = { ...create };

      // Act: nothing is answered while the vend runs.
      const first = await productHandler(create, context);
      const second = await productHandler(resent, context);
      const whileRunning = urls.to(create).length;
      const started = await executions();
      const record = (await ledger().get('orders'))!;
      const report = await endVend('application-vended.json', record.requestId);

      // Assess
      expect(first).toEqual({ answered: 'LATER', requestId: record.requestId });
      expect(second).toEqual(first);
      expect(whileRunning).toBe(0);
      expect(started).toHaveLength(1);
      expect(record.callbacks).toHaveLength(1);
      expect(report).toMatchObject({ answered: 1, refused: 0, undelivered: 0 });
      expect(urls.to(create)).toEqual([
        {
          Status: 'SUCCESS',
          Reason: expect.stringContaining('orders is vended'),
          PhysicalResourceId: 'orders',
          StackId: create.StackId,
          RequestId: create.RequestId,
          LogicalResourceId: 'ApplicationEnvironment',
          Data: {
            RequestId: record.requestId,
            ToolingAccountId: '200000000001',
            AccountIds: 'tooling=200000000001,test=200000000002,prod=200000000003',
            OrganizationalUnitId: 'ou-ab12-cdef3456',
          },
        },
      ]);
      expect((await ledger().get('orders'))!.callbacks).toBeUndefined();
    });

    it('answers a Create of an application already vended SUCCESS at once, starting nothing', async () => {
      // Prepare
      const create = urls.aim(read<CustomResourceRequest>('create.json'));
      const before = (await executions()).length;

      // Act
      await productHandler(create, context);

      // Assess
      expect(urls.to(create)).toEqual([
        expect.objectContaining({
          Status: 'SUCCESS',
          Data: expect.objectContaining({ ToolingAccountId: '200000000001' }),
        }),
      ]);
      expect(await executions()).toHaveLength(before);
    });

    it('answers an Update from another provisioned product FAILED naming the rule, changing and starting nothing', async () => {
      // Prepare: another product's stack names the same application, with another repository
      const create = read<CustomResourceRequest>('create.json');
      const other = urls.aim({
        ...create,
        RequestType: 'Update',
        PhysicalResourceId: 'orders',
        StackId:
          'arn:aws:cloudformation:us-east-1:444444444444:stack/SC-444444444444-pp-zyxwvutsr9876/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        ResourceProperties: { ...create.ResourceProperties, Repository: 'example-org/fork' },
      } as CustomResourceRequest);
      const before = await ledger().get('orders');
      const started = (await executions()).length;

      // Act
      const outcome = await productHandler(other, context);

      // Assess
      expect(outcome).toMatchObject({ answered: 'FAILED' });
      const [response] = urls.to(other);
      expect(response!.Status).toBe('FAILED');
      expect(response!.Reason).toContain(
        'Refused (not-owner: an application is updated only by the provisioned product that launched it)',
      );
      expect(await ledger().get('orders')).toEqual(before);
      expect(before!.principals).toEqual([create.StackId]);
      expect(await executions()).toHaveLength(started);
    });

    it('re-vends on Update (string lists), refuses a second change while it runs, and answers FAILED with the step and reason', async () => {
      // Prepare
      const update = urls.aim(read<CustomResourceRequest>('update.json'));
      const before = (await executions()).length;

      // Act
      const outcome = await productHandler(update, context);
      const record = (await ledger().get('orders'))!;
      const change = urls.aim({
        ...update,
        ResourceProperties: { ...update.ResourceProperties, Branch: 'release' },
      });
      await productHandler(change, context);
      await endVend('application-vending-failed.json', record.requestId);

      // Assess
      expect(outcome).toMatchObject({ answered: 'LATER' });
      expect(record.request).toMatchObject({
        stages: ['test', 'staging', 'prod'],
        allowedServices: ['dynamodb', 'sqs'],
      });
      expect(await executions()).toHaveLength(before + 1);
      expect(urls.to(change)).toEqual([
        expect.objectContaining({
          Status: 'FAILED',
          Reason: expect.stringMatching(/^Refused: .*is being vended/),
        }),
      ]);
      const [failed, ...more] = urls.to(update);
      expect(more).toEqual([]);
      expect(failed).toMatchObject({
        Status: 'FAILED',
        PhysicalResourceId: 'orders',
        RequestId: update.RequestId,
      });
      expect(failed!.Reason).toContain(
        'VendAccounts: CreateAccount for aws+orders-staging@example.com failed',
      );
    });

    it('drops a callback whose URL refuses the answer (expired), and ignores outcome events without a request id', async () => {
      // Prepare: the failed Update is tried again with the same request, the vend starts anew.
      const update = urls.aim(read<CustomResourceRequest>('update.json'), '/expired/update');
      await productHandler(update, context);
      const record = (await ledger().get('orders'))!;

      // Act
      const report = await endVend('application-vended.json', record.requestId);
      const cli = await outcomeHandler({ detail: { application: 'orders', status: 'SUCCEEDED' } }, context);

      // Assess
      expect(record).toMatchObject({ status: 'IN_PROGRESS', attempt: 2 });
      expect(report).toMatchObject({ answered: 0, refused: 1 });
      expect((await ledger().get('orders'))!.callbacks).toBeUndefined();
      expect(cli).toMatchObject({ answered: 0 });
    });

    it('answers Delete SUCCESS at once, keeping the accounts, and drops what the resource still waited for', async () => {
      // Prepare
      const remove = urls.aim(read<CustomResourceRequest>('delete.json'));
      const before = (await executions()).length;

      // Act
      await productHandler(remove, context);

      // Assess
      expect(urls.to(remove)).toEqual([
        {
          Status: 'SUCCESS',
          Reason: expect.stringContaining('keeps the application and its accounts'),
          PhysicalResourceId: 'orders',
          StackId: remove.StackId,
          RequestId: remove.RequestId,
          LogicalResourceId: 'ApplicationEnvironment',
        },
      ]);
      expect(await executions()).toHaveLength(before);
      expect((await ledger().get('orders'))!.status).toBe('SUCCEEDED');
    });

    describe('the ledger on DynamoDB', () => {
      callbackContract('keeps pending callbacks by the same contract', async () => {
        const client = new DynamoDBClient({
          region: MOTO_REGION,
          endpoint: world.moto.endpoint,
          credentials: MOTO_CREDENTIALS,
        });
        const tableName = `appvend-ledger-${randomUUID()}`;
        await createLedgerTable(client, tableName);
        return new DynamoDbLedgerStore(client, tableName);
      });
    });
  },
);
