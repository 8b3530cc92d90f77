/**
 * DynamoDB's size of an item, by AWS's rules ("DynamoDB item sizes and formats",
 * docs/aws-behaviours.md): an item is the sum of its attribute names and values; a string is its
 * UTF-8 bytes, a number about one byte per two significant digits plus one, a Boolean or null one
 * byte, a list or map 3 bytes plus its elements plus one byte per element. Values as the document
 * client writes them (undefined attributes removed).
 */
export const MAX_ITEM_BYTES = 400 * 1024;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

function numberSize(value: number): number {
  const digits = String(Math.abs(value))
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return numberSize(value);
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) {
    const kept = value.filter((v) => v !== undefined);
    return 3 + kept.reduce((sum: number, v) => sum + valueSize(v) + 1, 0);
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return 3 + entries.reduce((sum, [k, v]) => sum + utf8(k) + valueSize(v) + 1, 0);
  }
  return 0;
}

/** The item's size in bytes as DynamoDB counts it against its 400 KB limit. */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item)
    .filter(([, v]) => v !== undefined)
    .reduce((sum, [name, v]) => sum + utf8(name) + valueSize(v), 0);
}

/** AWS's answer to a PutItem of an item over the limit (a ValidationException). */
export class ItemTooLargeError extends Error {
  public override readonly name = 'ValidationException';
  public constructor() {
    super('Item size has exceeded the maximum allowed size');
  }
}

/** Whether an error is DynamoDB's refusal of an item over 400 KB (from AWS, moto or the memory store). */
export function isItemTooLarge(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return (
    e?.name === 'ValidationException' &&
    /Item size has exceeded the maximum allowed size/.test(e.message ?? '')
  );
}
