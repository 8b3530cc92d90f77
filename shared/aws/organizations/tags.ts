import type { Tag } from '@aws-sdk/client-organizations';

/** AWS's `[{Key, Value}]` form of a tag map, in a stable order. */
export function toAwsTags(tags: Record<string, string> | undefined): Tag[] {
  return Object.entries(tags ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Key, Value]) => ({ Key, Value }));
}
