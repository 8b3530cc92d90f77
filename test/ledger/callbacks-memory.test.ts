import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import { callbackContract } from './callback-contract';

callbackContract('Pending custom-resource callbacks on the local store', async () => new MemoryLedgerStore());
