import { MAX_ITEM_BYTES, itemSize } from '../../shared/ledger/item-size';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import type { ApplicationRecord } from '../../shared/ledger/record';

describe("Function: itemSize counts an item as DynamoDB does (its names and values, AWS's rules)", () => {
  it.each([
    ['a string: the name and the UTF-8 bytes', { name: 'orders' }, 4 + 6],
    ['a multi-byte string', { n: 'é' }, 1 + 2],
    ['a number: one byte per two significant digits, plus one', { v: 12345 }, 1 + 3 + 1],
    ['leading and trailing zeroes are not significant', { v: 1200 }, 1 + 1 + 1],
    ['a Boolean and a null: one byte', { b: true, z: null }, 1 + 1 + 1 + 1],
    ['a list: 3 bytes, its elements, one byte each', { l: ['ab', 'c'] }, 1 + 3 + (2 + 1) + (1 + 1)],
    ['a map: 3 bytes, its names and values, one byte each', { m: { k: 'v' } }, 1 + 3 + (1 + 1 + 1)],
    ['an empty map: 3 bytes', { m: {} }, 1 + 3],
    ['undefined attributes are not written', { a: 'x', gone: undefined }, 1 + 1],
  ])('%s', (_what, item, bytes) => {
    expect(itemSize(item as Record<string, unknown>)).toBe(bytes);
  });
});

describe('Class: MemoryLedgerStore refuses an item over 400 KB, as DynamoDB does', () => {
  const record = (note: string, version: number) =>
    ({ name: 'orders', version, note }) as unknown as ApplicationRecord;

  it('answers ValidationException for an item over the limit and keeps the item it had', async () => {
    // Arrange
    const store = new MemoryLedgerStore();
    await store.write(record('small', 1), 0);

    // Act
    const refused = store.write(record('x'.repeat(MAX_ITEM_BYTES), 2), 1);

    // Assess
    await expect(refused).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Item size has exceeded the maximum allowed size',
    });
    expect(await store.read('orders')).toMatchObject({ version: 1, note: 'small' });
  });

  it('takes an item just under the limit', async () => {
    const store = new MemoryLedgerStore();
    const overhead = itemSize(record('', 1) as unknown as Record<string, unknown>);
    await expect(store.write(record('x'.repeat(MAX_ITEM_BYTES - overhead), 1), 0)).resolves.toBe(true);
  });
});
