/**
 * Entity properties are shared with the server and with other tools: Polaris adds keys of its own (a
 * namespace's `location`), and an operator may add more. A resource therefore owns only the keys it
 * declares; every other key is left alone and never shows as a change.
 */
export type Properties = Record<string, string>;

/** Keys this library writes for itself and never shows in a diff. */
export const OWNER_KEY = "polaris-pulumi.owner";

/** The server's values of the declared keys only: what `read` reports, so drift on them shows. */
export function declaredView(server: Properties | undefined, declared: Properties | undefined): Properties {
  const view: Properties = {};
  for (const key of Object.keys(declared ?? {})) {
    const value = server?.[key];
    if (value !== undefined) view[key] = value;
  }
  return view;
}

/**
 * The full map to send when Polaris replaces properties wholesale: the server's current map, without the
 * keys this resource declared before and declares no longer, with the declared values on top.
 */
export function mergedForUpdate(
  server: Properties | undefined,
  previouslyDeclared: Properties | undefined,
  declared: Properties,
  extra: Properties = {},
): Properties {
  const merged: Properties = { ...(server ?? {}) };
  for (const key of Object.keys(previouslyDeclared ?? {})) {
    if (!(key in declared)) delete merged[key];
  }
  return { ...merged, ...declared, ...extra };
}

/** For APIs that take `{removals, updates}` (namespaces): what to remove and what to set. */
export function propertyChanges(
  server: Properties | undefined,
  previouslyDeclared: Properties | undefined,
  declared: Properties,
): { removals: string[]; updates: Properties } {
  const removals = Object.keys(previouslyDeclared ?? {}).filter(
    (key) => !(key in declared) && key in (server ?? {}),
  );
  const updates: Properties = {};
  for (const [key, value] of Object.entries(declared)) {
    if (server?.[key] !== value) updates[key] = value;
  }
  return { removals, updates };
}

export function sameProperties(a: Properties | undefined, b: Properties | undefined): boolean {
  const left = a ?? {};
  const right = b ?? {};
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) if (left[key] !== right[key]) return false;
  return true;
}
