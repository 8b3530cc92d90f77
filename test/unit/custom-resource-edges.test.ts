import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import {
  handleCustomResource,
  type CustomResourceRequest,
  type CustomResourceResponse,
} from '../../shared/workflow/custom-resource';

const create = JSON.parse(
  readFileSync(join(__dirname, '../../events/service-catalog/create.json'), 'utf8'),
) as CustomResourceRequest;

describe('Service Catalog door: the edges of a custom-resource request', () => {
  let ledger: Ledger;
  let sent: CustomResourceResponse[];
  let started: string[];
  let logged: unknown[];
  const deps = () => ({
    ledger,
    starter: {
      start: async (name: string) => {
        started.push(name);
        return { executionArn: `arn:aws:states:us-east-1:111111111111:execution:appvend-vend:${name}` };
      },
    },
    send: async (_url: string, response: CustomResourceResponse) => {
      sent.push(response);
    },
    onError: (error: unknown) => logged.push(error),
  });

  beforeEach(() => {
    ledger = new Ledger(new MemoryLedgerStore());
    sent = [];
    started = [];
    logged = [];
  });

  it('answers an unknown RequestType FAILED, naming it, and records nothing', async () => {
    // Act
    const outcome = await handleCustomResource({ ...create, RequestType: 'Replace' as 'Create' }, deps());

    // Assess
    expect(outcome).toMatchObject({ answered: 'FAILED' });
    expect(sent[0]!.Reason).toBe(
      'Refused: RequestType must be Create, Update or Delete (got "Replace"); nothing was vended',
    );
    expect(started).toEqual([]);
    expect((await ledger.list()).items).toEqual([]);
  });

  it.each(['toString', 'constructor', 'hasOwnProperty', '__proto__'])(
    'refuses a property named %s as unknown, FAILED, instead of taking it for a parameter',
    async (property) => {
      // Prepare: as JSON.parse makes it, an own property even for __proto__
      const properties = JSON.parse(
        JSON.stringify(create.ResourceProperties).replace('{', `{"${property}":"x",`),
      ) as CustomResourceRequest['ResourceProperties'];

      // Act
      const outcome = await handleCustomResource({ ...create, ResourceProperties: properties }, deps());

      // Assess
      expect(outcome).toMatchObject({ answered: 'FAILED' });
      expect(sent[0]!.Reason).toBe(`Invalid parameters: ${property}: unknown property`);
      expect(started).toEqual([]);
    },
  );

  it('neither records nor starts anything for a request with no URL to answer', async () => {
    // Act
    const outcome = await handleCustomResource({ ...create, ResponseURL: 'not a url' }, deps());

    // Assess
    expect(outcome).toMatchObject({ answered: 'UNANSWERABLE' });
    expect(sent).toEqual([]);
    expect(started).toEqual([]);
    expect((await ledger.list()).items).toEqual([]);
  });

  it("answers an AWS failure FAILED without the error's text, which goes to the log", async () => {
    // Prepare
    const failing = {
      ...deps(),
      starter: {
        start: async () => {
          throw new Error(
            'User: arn:aws:sts::111111111111:assumed-role/x/y is not authorized to perform: states:StartExecution',
          );
        },
      },
    };

    // Act
    const outcome = await handleCustomResource(create, failing);

    // Assess
    expect(outcome).toMatchObject({ answered: 'FAILED' });
    expect(sent[0]!.Reason).not.toMatch(/not authorized|arn:aws:sts/);
    expect(sent[0]!.Reason).toContain('internal error');
    expect(logged).toHaveLength(1);
  });
});
