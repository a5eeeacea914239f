import { z } from "zod";

/**
 * Names of Polaris entities, as the 1.4.1 spec constrains them (1 to 256 characters, not starting with the
 * reserved `system$`), tightened where a name would break a REST path or an engine's SQL: no slash, no
 * control character, no surrounding whitespace.
 */
export function entityName(kind: string) {
  return z
    .string({ error: `${kind} name must be a string` })
    .min(1, `${kind} name must not be empty`)
    .max(256, `${kind} name must be at most 256 characters`)
    .refine(
      (name) => !/^\s*system\$/i.test(name),
      `${kind} names starting with "system$" are reserved by Polaris`,
    )
    .refine((name) => !name.includes("/"), `${kind} name must not contain "/"`)
    .refine((name) => !/\p{Cc}/u.test(name), `${kind} name must not contain control characters`)
    .refine((name) => name.trim() === name, `${kind} name must not start or end with whitespace`);
}

/** Entities that Polaris creates itself. They may be referenced by name, never declared or deleted. */
export const BUILT_IN = {
  principal: "root",
  principalRole: "service_admin",
  catalogRole: "catalog_admin",
} as const;

export function builtInMessage(kind: string, name: string): string {
  return (
    `${kind} "${name}" is built into Polaris: it cannot be declared, adopted, changed or deleted. ` +
    "Reference it by name where a role or principal is expected instead."
  );
}
