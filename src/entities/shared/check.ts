import type { z } from "zod";
import type { CheckFailure, CheckResult } from "../../dynamic/contract";
import { containsUnknown, UNKNOWN } from "./unknown";

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, key) =>
      typeof key === "number" ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key),
    "",
  );
}

/**
 * Validates a resource's inputs with zod, without any network call. Failures name the input field
 * (`storage.roleArn`). A value not known yet at preview (another resource's output) is not judged here;
 * `create` validates it again once it is known.
 */
export function checkInputs<Schema extends z.ZodType>(
  schema: Schema,
  news: Record<string, unknown>,
  moreChecks: (inputs: z.output<Schema>) => CheckFailure[] = () => [],
): CheckResult<Record<string, unknown>> {
  const parsed = schema.safeParse(news);
  if (parsed.success) {
    const failures = moreChecks(parsed.data);
    return failures.length > 0 ? { failures } : { inputs: parsed.data as Record<string, unknown> };
  }
  const failures = parsed.error.issues
    .filter((issue) => !containsUnknown(valueAt(news, issue.path)) && !pathCrossesUnknown(news, issue.path))
    .map((issue) => ({ property: fieldName(issue.path) || "(inputs)", reason: issue.message }));
  return failures.length > 0 ? { failures } : { inputs: news };
}

/** True when a parent of the path is itself unknown (a whole object that is another resource's output). */
function pathCrossesUnknown(root: unknown, path: readonly PropertyKey[]): boolean {
  for (let i = 1; i < path.length; i++) {
    if (valueAt(root, path.slice(0, i)) === UNKNOWN) return true;
  }
  return false;
}

/** Parses inputs that must be fully known (at create and update), failing with every problem at once. */
export function parseInputs<Schema extends z.ZodType>(
  kind: string,
  schema: Schema,
  inputs: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(inputs);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${fieldName(issue.path) || "(inputs)"}: ${issue.message}`,
  );
  throw new Error(`invalid ${kind} inputs:\n  ${problems.join("\n  ")}`);
}
