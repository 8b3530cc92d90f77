import { parseRequest } from '../../shared/request/validate';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import { ledgerContract } from './ledger-contract';
import { OWNER } from '../support/actors';

ledgerContract('Ledger on the local store', async () => new MemoryLedgerStore());

describe('MemoryLedgerStore with a file', () => {
  it('keeps the applications across runs', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'appvend-ledger-'));
    const file = join(dir, 'ledger.json');
    try {
      const first = new Ledger(new MemoryLedgerStore(file));
      const sample = {
        name: 'orders',
        owner: 'team@example.com',
        accountEmail: 'aws+{name}-{stage}@example.com',
        source: {
          connectionArn:
            'arn:aws:codeconnections:us-east-1:111111111111:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
          repository: 'acme/orders',
        },
      };
      const { record } = await first.submit(parseRequest(sample), OWNER);

      // Act
      const reopened = new Ledger(new MemoryLedgerStore(file));

      // Assess
      expect(await reopened.get('orders')).toEqual(record);
      expect((await reopened.submit(parseRequest(sample), OWNER)).outcome).toBe('existing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
