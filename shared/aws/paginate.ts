/** Collects every item of an SDK v3 paginator (a few pages at most for the lists appvend reads). */
export async function collect<Page, Item>(
  pages: AsyncIterable<Page>,
  items: (page: Page) => Item[] | undefined,
): Promise<Item[]> {
  const all: Item[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}

/**
 * Collects every item of a list read page by page with a NextToken, through `page` (for the calls
 * the SDK has no paginator for, or that a caller wraps in its own error handling).
 */
export async function collectByToken<T>(
  page: (token?: string) => Promise<{ items: T[]; next?: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const { items, next } = await page(token);
    all.push(...items);
    token = next;
  } while (token);
  return all;
}

/** Finds the first item across pages, stopping early. */
export async function findInPages<Page, Item>(
  pages: AsyncIterable<Page>,
  items: (page: Page) => Item[] | undefined,
  match: (item: Item) => boolean,
): Promise<Item | undefined> {
  for await (const page of pages) {
    const found = (items(page) ?? []).find(match);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** True when `error` is an AWS service exception with this name. */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}
