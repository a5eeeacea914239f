/**
 * One grant on a catalog role, as users declare it and as Polaris lists it, and its canonical id: the key
 * under which an authoritative grant set holds it, so that a preview lists exactly the grants added and
 * removed. No Pulumi import.
 */
import { z } from "zod";
import type { Grant as PolarisGrant } from "../polaris/client/types";
import { GRANT_LEVELS, type GrantLevel, privilegeProblem } from "./grant-privileges";

const level = z
  .string()
  .min(1, "a namespace level must not be empty")
  .refine((name) => !/\p{Cc}/u.test(name), "a namespace level must not contain control characters")
  // Grant ids join levels with dots, so ["a.b"] and ["a", "b"] must not both be possible.
  .refine(
    (name) => !name.includes("."),
    'a namespace level must not contain "."; give each level separately',
  );

/** What the object of a table, view or policy grant is called in the input. */
const OBJECT_FIELD = { table: "table", view: "view", policy: "policy" } as const;

export const grantSpecSchema = z
  .strictObject({
    /** What the grant is on: catalog, namespace, table, view or policy. */
    type: z.enum(GRANT_LEVELS, { error: `type must be one of ${GRANT_LEVELS.join(", ")}` }),
    /** A privilege of the grant's level, as the Polaris spec names it, e.g. TABLE_READ_DATA. */
    privilege: z.string({ error: "privilege is required" }).min(1, "privilege must not be empty"),
    /** Namespace levels, outermost first; for namespace, table, view and policy grants. */
    namespace: z.array(level).min(1, "namespace must name at least one level").optional(),
    /** Table grants: the table's name. */
    table: z.string().min(1).optional(),
    /** View grants: the view's name. */
    view: z.string().min(1).optional(),
    /** Policy grants: the policy's name. */
    policy: z.string().min(1).optional(),
  })
  .superRefine((grant, context) => {
    const problem = privilegeProblem(grant.type, grant.privilege);
    if (problem) context.addIssue({ code: "custom", path: ["privilege"], message: problem });
    if (grant.type === "catalog" && grant.namespace) {
      context.addIssue({
        code: "custom",
        path: ["namespace"],
        message: "a catalog grant has no namespace; remove it",
      });
    }
    if (grant.type !== "catalog" && !grant.namespace) {
      context.addIssue({
        code: "custom",
        path: ["namespace"],
        message: `a ${grant.type} grant needs the namespace${grant.type === "namespace" ? "" : ` that holds the ${grant.type}`}`,
      });
    }
    for (const [kind, field] of Object.entries(OBJECT_FIELD) as [GrantLevel, "table" | "view" | "policy"][]) {
      if (grant.type === kind && !grant[field]) {
        context.addIssue({
          code: "custom",
          path: [field],
          message: `a ${kind} grant needs the ${field}'s name`,
        });
      }
      if (grant.type !== kind && grant[field]) {
        context.addIssue({
          code: "custom",
          path: [field],
          message: `\`${field}\` belongs to ${kind} grants; this is a ${grant.type} grant`,
        });
      }
    }
  });

export type GrantSpec = z.output<typeof grantSpecSchema>;

/** `type:namespace.path[.object]:PRIVILEGE`, e.g. `table:demo.gold.orders:TABLE_READ_DATA`. */
export function grantId(grant: GrantSpec): string {
  const object = grant.type === "catalog" ? undefined : grant[OBJECT_FIELD[grant.type as "table"]];
  const path = [...(grant.namespace ?? []), ...(object ? [object] : [])].join(".");
  return [grant.type, ...(path ? [path] : []), grant.privilege].join(":");
}

export function toPolaris(grant: GrantSpec): PolarisGrant {
  const body: Record<string, unknown> = { type: grant.type, privilege: grant.privilege };
  if (grant.namespace) body.namespace = grant.namespace;
  if (grant.table) body.tableName = grant.table;
  if (grant.view) body.viewName = grant.view;
  if (grant.policy) body.policyName = grant.policy;
  return body as PolarisGrant;
}

export function fromPolaris(grant: PolarisGrant): GrantSpec {
  const listed = grant as Record<string, unknown>;
  const spec: Record<string, unknown> = { type: listed.type, privilege: listed.privilege };
  if (listed.namespace) spec.namespace = listed.namespace;
  if (listed.tableName) spec.table = listed.tableName;
  if (listed.viewName) spec.view = listed.viewName;
  if (listed.policyName) spec.policy = listed.policyName;
  return spec as GrantSpec;
}

/** Grants Polaris gives catalog_admin at catalog creation: never revoked, never shown. */
export const SYSTEM_GRANTS: Readonly<Record<string, readonly string[]>> = {
  catalog_admin: ["catalog:CATALOG_MANAGE_ACCESS", "catalog:CATALOG_MANAGE_METADATA"],
};

/** A readable reason for a 404 on a grant: the object it names is missing. */
export function missingObjectMessage(grant: GrantSpec, catalog: string): string {
  const where = (grant.namespace ?? []).join(".");
  const object =
    grant.type === "namespace"
      ? `namespace ${where}`
      : `${grant.type} ${where}.${grant.table ?? grant.view ?? grant.policy}`;
  return (
    `cannot grant ${grant.privilege} on ${object} in catalog ${catalog}: it does not exist. Create it first ` +
    `(grants on a ${grant.type} need the ${grant.type}), or remove the grant; if it was dropped, recreate it.`
  );
}
