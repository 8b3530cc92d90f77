/** One page of a list and the token for the next, as AWS's List* operations return them. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** How one service validates and sizes its pages. */
export interface PageRules {
  /** Page size when the caller gives none: small, so that callers' paginators are exercised. */
  defaultSize: number;
  maxSize: number;
  invalidToken: () => Error;
  invalidSize: (size: number) => Error;
}

const PREFIX = 'sandbox-page:';

/**
 * Slices `items` at the offset encoded in `token`. Tokens are opaque to callers (base64) but
 * deterministic, so persisted state and recorded calls stay reproducible.
 */
export function paginate<T>(
  items: readonly T[],
  token: string | undefined,
  size: number | undefined,
  rules: PageRules,
): Page<T> {
  if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > rules.maxSize)) {
    throw rules.invalidSize(size);
  }
  const offset = token === undefined || token === '' ? 0 : decode(token, rules);
  const pageSize = size ?? rules.defaultSize;
  const end = offset + pageSize;
  return {
    items: items.slice(offset, end),
    ...(end < items.length ? { nextToken: Buffer.from(`${PREFIX}${end}`).toString('base64') } : {}),
  };
}

function decode(token: string, rules: PageRules): number {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const offset = text.startsWith(PREFIX) ? Number(text.slice(PREFIX.length)) : NaN;
  if (!Number.isInteger(offset) || offset < 0) throw rules.invalidToken();
  return offset;
}
