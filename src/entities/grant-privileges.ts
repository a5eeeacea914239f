/**
 * Which privileges Polaris accepts at each grant level, taken from the enums in the management API spec
 * (src/polaris/generated), and the messages that tell a user how to fix a privilege it refuses.
 * No Pulumi import: `check` runs this before any request is sent.
 */
import {
  catalogPrivilegeValues,
  namespacePrivilegeValues,
  policyPrivilegeValues,
  tablePrivilegeValues,
  viewPrivilegeValues,
} from "../polaris/generated/management";

export const GRANT_LEVELS = ["catalog", "namespace", "table", "view", "policy"] as const;
export type GrantLevel = (typeof GRANT_LEVELS)[number];

export const PRIVILEGES_BY_LEVEL: Readonly<Record<GrantLevel, readonly string[]>> = {
  catalog: catalogPrivilegeValues,
  namespace: namespacePrivilegeValues,
  table: tablePrivilegeValues,
  view: viewPrivilegeValues,
  policy: policyPrivilegeValues,
};

/** Why `privilege` cannot be granted at `level`, with the way out; undefined when it can. */
export function privilegeProblem(level: GrantLevel, privilege: string): string | undefined {
  const allowed = PRIVILEGES_BY_LEVEL[level];
  if (allowed.includes(privilege)) return undefined;

  const elsewhere = GRANT_LEVELS.filter((other) => PRIVILEGES_BY_LEVEL[other].includes(privilege));
  if (elsewhere.length > 0) {
    return (
      `${privilege} is not a ${level}-level privilege; Polaris grants it at the ${elsewhere.join(", ")} ` +
      `level${elsewhere.length > 1 ? "s" : ""}. Grant it there instead.`
    );
  }
  const suggestion = closest(privilege.toUpperCase(), allowed);
  return suggestion
    ? `unknown privilege ${privilege}; did you mean ${suggestion}?`
    : `unknown privilege ${privilege}; ${level}-level privileges are: ${allowed.join(", ")}`;
}

// A typo is a few edits away; anything further is a different word, not worth suggesting.
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 4)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
