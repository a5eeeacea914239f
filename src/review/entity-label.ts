/**
 * How a reviewer knows an entity: by its name in Polaris (a namespace's dotted path, an assignment's
 * "principal → role"), with the catalog it lives in. Falls back to the resource's name in the program when
 * the value is secret or known only after apply, and for resources that are not Polaris entities.
 */
import type { EntityChange } from "./entity-changes";
import { isMarkedSecret, isUnknown } from "./secrets";

export interface EntityLabel {
  title: string;
  catalog?: string;
}

function text(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "" || isMarkedSecret(value) || isUnknown(value))
    return undefined;
  return value;
}

function path(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return text(value);
  const levels = value.map(text);
  return levels.every((level) => level !== undefined) ? levels.join(".") : undefined;
}

function pair(from: string | undefined, to: string | undefined): string | undefined {
  return from && to ? `${from} → ${to}` : undefined;
}

const TITLES: Record<string, (state: Record<string, unknown>) => string | undefined> = {
  Catalog: (s) => text(s.name),
  Principal: (s) => text(s.name),
  PrincipalRole: (s) => text(s.name),
  CatalogRole: (s) => text(s.name),
  Namespace: (s) => path(s.levels) ?? text(s.path),
  Policy: (s) => {
    const namespace = path(s.namespace);
    const name = text(s.name);
    return namespace && name ? `${namespace}.${name}` : name;
  },
  PrincipalRoleAssignment: (s) => pair(text(s.principal), text(s.principalRole)),
  CatalogRoleAssignment: (s) => pair(text(s.catalogRole), text(s.principalRole)),
  CatalogGrant: (s) => text(s.catalogRole),
  CatalogGrantSet: (s) => text(s.catalogRole),
};

/** The kinds that live inside a catalog, whose label names it. */
const IN_CATALOG = new Set([
  "CatalogRole",
  "Namespace",
  "Policy",
  "CatalogRoleAssignment",
  "CatalogGrant",
  "CatalogGrantSet",
]);

export function entityLabel(change: EntityChange): EntityLabel {
  // The state after the change names the entity best; before it, when a value is known only after apply.
  const states = [change.after, change.before].filter((s): s is Record<string, unknown> => s !== undefined);
  const first = (read: (state: Record<string, unknown>) => string | undefined) =>
    states.map(read).find((value) => value !== undefined);
  const title = first((s) => TITLES[change.kind]?.(s)) ?? change.name;
  const catalog = IN_CATALOG.has(change.kind) ? first((s) => text(s.catalog)) : undefined;
  return catalog ? { title, catalog } : { title };
}
