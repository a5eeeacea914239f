/**
 * Grant writes of one authoritative set, a few at a time. Polaris applies grants on one role in any order
 * and answers each on its own, so a set of a hundred grants need not wait for each answer in turn; a small
 * bound keeps one set from crowding out the other resources of the run. No Pulumi import.
 */

/** Grant writes of one set in flight at once. */
export const GRANT_WRITES_AT_ONCE = 4;

/**
 * Runs `task` for every item, at most `limit` at once. After a failure no further item is started; the
 * ones in flight finish, then the first failure is thrown.
 */
export async function forEachAtMost<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
