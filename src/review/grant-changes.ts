/**
 * Grants added and removed, per catalog role, as lines a reviewer reads ("NAMESPACE_LIST on namespace
 * demo.gold") rather than the grant-id keys of a CatalogGrantSet. Reads both grant shapes: the set's
 * `grants` (a map keyed by grant id) and an additive CatalogGrant's `grant`.
 */
import type { EntityChange } from "./entity-changes";
import { isMarkedSecret, isUnknown } from "./secrets";

export interface RoleGrantChanges {
  catalogRole: string;
  catalog?: string;
  added: string[];
  removed: string[];
  /** The grants are known only after apply (they wait on entities the same update creates). */
  unknown: boolean;
}

type Grant = Record<string, unknown>;

const OBJECT_FIELD: Record<string, string> = { table: "table", view: "view", policy: "policy" };

function known(value: unknown): string | undefined {
  return typeof value === "string" && !isUnknown(value) && !isMarkedSecret(value) ? value : undefined;
}

/** `TABLE_READ_DATA on table demo.gold.orders`; undefined when the grant is not readable as one. */
export function describeGrant(grant: unknown, catalog?: string): string | undefined {
  if (typeof grant !== "object" || grant === null) return undefined;
  const g = grant as Grant;
  const privilege = known(g.privilege);
  const type = known(g.type);
  if (!privilege || !type) return undefined;
  if (type === "catalog") return `${privilege} on catalog${catalog ? ` ${catalog}` : ""}`;
  const levels = Array.isArray(g.namespace) ? g.namespace.map(known) : [];
  const objectField = OBJECT_FIELD[type];
  const object = objectField ? known(g[objectField]) : undefined;
  const path = [...levels, ...(objectField ? [object] : [])];
  if (path.length === 0 || path.some((part) => part === undefined)) return undefined;
  return `${privilege} on ${type} ${path.join(".")}`;
}

/** The grants a grant resource holds in one state: undefined when unknown, [] when it holds none. */
function grantsIn(change: EntityChange, state: Record<string, unknown> | undefined, catalog?: string) {
  if (!state) return [];
  const value = change.kind === "CatalogGrantSet" ? state.grants : [state.grant];
  if (isUnknown(value)) return undefined;
  const list = Array.isArray(value) ? value : typeof value === "object" && value ? Object.values(value) : [];
  const lines = list.map((grant) => (isUnknown(grant) ? undefined : describeGrant(grant, catalog)));
  return lines.every((line): line is string => line !== undefined) ? lines : undefined;
}

function sideValue(change: EntityChange, key: string): string | undefined {
  return known(change.after?.[key]) ?? known(change.before?.[key]);
}

export function isGrantKind(kind: string): boolean {
  return kind === "CatalogGrant" || kind === "CatalogGrantSet";
}

export function grantChanges(changes: EntityChange[]): RoleGrantChanges[] {
  const byRole = new Map<string, RoleGrantChanges>();
  for (const change of changes) {
    if (!isGrantKind(change.kind)) continue;
    const catalogRole = sideValue(change, "catalogRole") ?? change.name;
    const catalog = sideValue(change, "catalog");
    const key = `${catalog ?? ""}\u0000${catalogRole}`;
    const entry = byRole.get(key) ?? {
      catalogRole,
      ...(catalog ? { catalog } : {}),
      added: [],
      removed: [],
      unknown: false,
    };
    byRole.set(key, entry);
    const before = grantsIn(change, change.before, catalog);
    const after = grantsIn(change, change.after, catalog);
    if (before === undefined || after === undefined) {
      entry.unknown = true;
      continue;
    }
    entry.removed.push(...before.filter((line) => !after.includes(line)));
    entry.added.push(...after.filter((line) => !before.includes(line)));
  }
  return [...byRole.values()]
    .map((entry) => {
      // An additive grant replaced by one on the same role: what leaves and comes back is no change.
      const removed = entry.removed.filter((line) => !entry.added.includes(line));
      const added = entry.added.filter((line) => !entry.removed.includes(line));
      return { ...entry, removed: [...new Set(removed)].sort(), added: [...new Set(added)].sort() };
    })
    .filter((entry) => entry.unknown || entry.added.length > 0 || entry.removed.length > 0)
    .sort((a, b) => `${a.catalog}.${a.catalogRole}`.localeCompare(`${b.catalog}.${b.catalogRole}`));
}
