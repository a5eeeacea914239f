/**
 * Property changes as before/after pairs, one per leaf (`properties.classification`, `storage.roleArn`),
 * with secret values replaced by a placeholder before anything could print them.
 */
import { isCredentialKey, isHiddenKey, isMarkedSecret, isUnknown } from "./secrets";

export type ShownValue =
  | { kind: "absent" }
  | { kind: "value"; text: string }
  | { kind: "unknown" }
  /** `changed`: the value is hidden, but it is known to differ from the other side. */
  | { kind: "secret"; changed?: boolean };

export interface PropertyChange {
  path: string;
  before: ShownValue;
  after: ShownValue;
}

/** Bookkeeping the engine or this library keeps, which says nothing to a reviewer. */
const BOOKKEEPING = new Set(["__schemaVersion", "entityVersion", "createTimestamp", "lastUpdateTimestamp"]);

interface Leaf {
  shown: ShownValue;
  /** What the comparison uses; for a secret it never leaves this module. */
  compareAs: string;
}

function flatten(value: unknown, path: string, into: Map<string, Leaf>, key: string): void {
  if (isHiddenKey(key)) return;
  if (isMarkedSecret(value)) {
    into.set(path, { shown: { kind: "secret" }, compareAs: "[secret]" });
    return;
  }
  if (isCredentialKey(key) && value !== undefined && value !== null) {
    into.set(path, { shown: { kind: "secret" }, compareAs: JSON.stringify(value) });
    return;
  }
  if (isUnknown(value)) {
    into.set(path, { shown: { kind: "unknown" }, compareAs: "[unknown]" });
    return;
  }
  if (Array.isArray(value) && value.every((item) => typeof item !== "object" || item === null)) {
    const text = JSON.stringify(value);
    into.set(path, { shown: { kind: "value", text }, compareAs: text });
    return;
  }
  if (typeof value === "object" && value !== null) {
    for (const [childKey, child] of Object.entries(value)) {
      flatten(child, path === "" ? childKey : `${path}.${childKey}`, into, childKey);
    }
    return;
  }
  if (value === undefined) return;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  into.set(path, { shown: { kind: "value", text }, compareAs: JSON.stringify(value) });
}

function leaves(state: Record<string, unknown> | undefined, ignored: ReadonlySet<string>): Map<string, Leaf> {
  const into = new Map<string, Leaf>();
  for (const [key, value] of Object.entries(state ?? {})) {
    if (BOOKKEEPING.has(key) || ignored.has(key)) continue;
    flatten(value, key, into, key);
  }
  return into;
}

/**
 * The leaves that differ between two states. `ignored` names top-level keys shown elsewhere (a grant set's
 * grants). Two values that are both marked secret cannot be compared and are not listed.
 */
export function propertyChanges(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  ignored: ReadonlySet<string> = new Set(),
): PropertyChange[] {
  const old = leaves(before, ignored);
  const next = leaves(after, ignored);
  const paths = [...new Set([...old.keys(), ...next.keys()])].sort();
  const changes: PropertyChange[] = [];
  for (const path of paths) {
    const a = old.get(path);
    const b = next.get(path);
    if (a && b && a.compareAs === b.compareAs) continue;
    changes.push({
      path,
      before: a?.shown ?? { kind: "absent" },
      after: b
        ? a && b.shown.kind === "secret"
          ? { kind: "secret", changed: true }
          : b.shown
        : { kind: "absent" },
    });
  }
  return changes;
}
