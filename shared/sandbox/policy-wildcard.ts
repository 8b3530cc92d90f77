/**
 * An IAM policy wildcard (`*` any run of characters, `?` one character) as a regular expression
 * matching the whole string: what StringLike, ArnLike and action or resource patterns mean. `flags`
 * is `'i'` where AWS compares without case (action names).
 */
export const policyWildcard = (pattern: string, flags = ''): RegExp =>
  new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
      .join('')}$`,
    flags,
  );
