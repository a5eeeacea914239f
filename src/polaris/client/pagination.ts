import { type ErrorContext, PolarisResponseError } from "./errors";

export interface Page<T> {
  items: T[];
  nextPageToken?: string | null;
}

/**
 * Every item of a paged Iceberg list. Polaris 1.4.1 pages only when LIST_PAGINATION_ENABLED is on, and
 * then answers each page with the token of the next one, null on the last.
 */
export async function collectPages<T>(
  context: ErrorContext,
  fetchPage: (pageToken?: string) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let pageToken: string | undefined;
  do {
    const page = await fetchPage(pageToken);
    items.push(...page.items);
    pageToken = page.nextPageToken || undefined;
    // A server that hands out the same token twice would otherwise keep us here forever.
    if (pageToken !== undefined) {
      if (seen.has(pageToken)) throw new PolarisResponseError(context, "the same page token came back twice");
      seen.add(pageToken);
    }
  } while (pageToken !== undefined);
  return items;
}
