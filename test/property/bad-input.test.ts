import fc from 'fast-check';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import { validateRequest } from '../../shared/request/validate';
import { submitApplication, type ExecutionStarter } from '../../shared/workflow/intake';
import { VALID, badRequest } from './bad-requests';

/** At least this many generated requests per door (fast-check's runs). */
const RUNS = 500;

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
      { numRuns: RUNS },
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
        const result = await submitApplication(ledger, starter, request);
        return result.outcome === 'invalid' && result.problems.every((p) => p.field !== '');
      }),
      { numRuns: RUNS },
    );
    expect(started).toEqual([]);
    expect((await ledger.list()).items).toEqual([]);
  });
});
