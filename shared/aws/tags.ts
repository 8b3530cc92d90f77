/** AWS's `[{Key, Value}]` form of a tag map, in a stable order (Organizations and CloudFormation alike). */
export function toAwsTags(tags: Record<string, string> | undefined): { Key: string; Value: string }[] {
  return Object.entries(tags ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Key, Value]) => ({ Key, Value }));
}
