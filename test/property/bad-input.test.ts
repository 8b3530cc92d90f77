import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import { validateRequest } from '../../shared/request/validate';
import { submitApplication, type ExecutionStarter } from '../../shared/workflow/intake';
import { handleCustomResource, type CustomResourceRequest } from '../../shared/workflow/custom-resource';
import { answerPortalRequest } from '../../shared/workflow/portal-api';
import { VALID, badRequest } from './bad-requests';
import { OWNER } from '../support/actors';

/** At least this many generated requests per door (fast-check's runs). */
const RUNS = 500;
/** Fixed, so that CI is reproducible; `FC_SEED=<n>` explores other requests. */
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261125;

describe('Bad input, generated: every malformed request is refused with named fields, and changes nothing', () => {
  it('is valid to begin with (the mutations are the only problem)', () => {
    expect(validateRequest(VALID).valid).toBe(true);
  });

  it(`appvend validate: ${RUNS} malformed requests, each refused with at least one named field`, () => {
    fc.assert(
      fc.property(badRequest, ({ request }) => {
        const result = validateRequest(request);
        if (result.valid) return false;
        return result.problems.length > 0 && result.problems.every((p) => p.field !== '' && p.message !== '');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`EventBridge door (intake): ${RUNS} malformed requests, no ledger item and no execution`, async () => {
    const store = new MemoryLedgerStore();
    const ledger = new Ledger(store);
    const started: string[] = [];
    const starter: ExecutionStarter = {
      start: async (name) => {
        started.push(name);
        return { executionArn: name };
      },
    };
    await fc.assert(
      fc.asyncProperty(badRequest, async ({ request }) => {
        const result = await submitApplication(ledger, starter, request, OWNER);
        return result.outcome === 'invalid' && result.problems.every((p) => p.field !== '');
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(started).toEqual([]);
    expect((await ledger.list()).items).toEqual([]);
  });

  it(`portal API: ${RUNS} malformed POST bodies, each a 400 naming fields, no ledger item, no execution`, async () => {
    const post = JSON.parse(
      readFileSync(join(__dirname, '../../events/api/post-application.json'), 'utf8'),
    ) as APIGatewayProxyEvent;
    const ledger = new Ledger(new MemoryLedgerStore());
    const started: string[] = [];
    const starter: ExecutionStarter = {
      start: async (name) => {
        started.push(name);
        return { executionArn: name };
      },
    };
    await fc.assert(
      fc.asyncProperty(badRequest, async ({ request }) => {
        const answer = await answerPortalRequest(
          { ...post, body: JSON.stringify(request) },
          { ledger, starter },
        );
        const problems = (answer.body as { problems?: { field: string }[] }).problems ?? [];
        return answer.statusCode === 400 && problems.length > 0 && problems.every((p) => p.field !== '');
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(started).toEqual([]);
    expect((await ledger.list()).items).toEqual([]);
  });

  it(`Service Catalog door: ${RUNS} malformed product parameters, each answered FAILED naming them`, async () => {
    const create = JSON.parse(
      readFileSync(join(__dirname, '../../events/service-catalog/create.json'), 'utf8'),
    ) as CustomResourceRequest;
    const ledger = new Ledger(new MemoryLedgerStore());
    const started: string[] = [];
    const sent: { Status: string; Reason?: string }[] = [];
    const deps = {
      ledger,
      starter: {
        start: async (name: string) => {
          started.push(name);
          return { executionArn: name };
        },
      },
      send: async (_url: string, response: { Status: string; Reason?: string }) => {
        sent.push(response);
      },
    };
    /** The request's fields as the product's parameters (the product has no tags parameter). */
    const asProperties = (request: Record<string, unknown>): unknown => {
      if (request === null || typeof request !== 'object' || Array.isArray(request)) return request;
      const {
        name,
        owner,
        accountEmail,
        stages,
        source,
        profile,
        allowedServices,
        tags: _tags,
        ...rest
      } = request;
      const src = (source ?? {}) as Record<string, unknown>;
      const properties: Record<string, unknown> = {
        AppName: name,
        Owner: owner,
        AccountEmail: accountEmail,
        Stages: stages,
        ConnectionArn:
          typeof source === 'object' && source !== null && !Array.isArray(source)
            ? src.connectionArn
            : source,
        Repository:
          typeof source === 'object' && source !== null && !Array.isArray(source)
            ? src.repository
            : undefined,
        Branch:
          typeof source === 'object' && source !== null && !Array.isArray(source) ? src.branch : undefined,
        Profile: profile,
        AllowedServices: allowedServices,
        ...rest,
      };
      return Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined));
    };
    // Product parameters are strings: a list may be given as "a,b", and a blank list means the
    // default, so those mutations are not malformed here; the product has no tags parameter.
    const productBad = badRequest.filter(
      ({ why }) => !/^(stages|allowedServices) = "|^tag|^no stage|^missing source/.test(why),
    );
    await fc.assert(
      fc.asyncProperty(productBad, async ({ request }) => {
        sent.length = 0;
        const outcome = await handleCustomResource(
          {
            ...create,
            ResourceProperties: asProperties(request) as CustomResourceRequest['ResourceProperties'],
          },
          deps,
        );
        return (
          outcome.answered === 'FAILED' &&
          sent.length === 1 &&
          /^Invalid parameters: .+: ./s.test(sent[0]!.Reason ?? '')
        );
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(started).toEqual([]);
    expect((await ledger.list()).items).toEqual([]);
  });
});
