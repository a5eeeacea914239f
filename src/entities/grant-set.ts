/**
 * The authoritative set of grants of one catalog role: the role ends up with exactly these grants. The set
 * is a map keyed by canonical grant id (`namespace:demo.gold:TABLE_READ_DATA`), so a preview lists exactly
 * the grants added and removed, and a refresh reads the role with one listing. The grants Polaris gives
 * catalog_admin are never shown and never revoked. No Pulumi import.
 */
import { z } from "zod";
import type { ProviderImplementation } from "../dynamic/contract";
import { forEachAtMost, GRANT_WRITES_AT_ONCE } from "./grant-batch";
import { addGrant, grantsOfRole, revokeGrant } from "./grant-calls";
import { fromPolaris, type GrantSpec, grantId, grantSpecSchema, SYSTEM_GRANTS } from "./grant-spec";
import { checkInputs, parseInputs } from "./shared/check";
import { clientFor, connectionSchema, resolveConnection } from "./shared/connection";
import { entityName } from "./shared/names";

export const schemaVersion = 1;
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["catalog", "catalogRole"];
export const deleteBeforeReplace = true;

export const grantSetInputsSchema = z
  .strictObject({
    connection: connectionSchema.optional(),
    catalog: entityName("catalog"),
    catalogRole: entityName("catalog role"),
    grants: z
      .record(z.string(), grantSpecSchema, { error: "grants must map grant ids to grants" })
      .refine((grants) => Object.keys(grants).length > 0, {
        message:
          "an authoritative grant set must hold at least one grant; to revoke them all, delete the resource",
      }),
  })
  .superRefine((inputs, context) => {
    for (const [key, grant] of Object.entries(inputs.grants)) {
      if (key !== grantId(grant)) {
        context.addIssue({
          code: "custom",
          path: ["grants", key],
          message: `the key of this grant must be ${grantId(grant)}`,
        });
      }
      if ((SYSTEM_GRANTS[inputs.catalogRole] ?? []).includes(key)) {
        context.addIssue({
          code: "custom",
          path: ["grants", key],
          message: `${inputs.catalogRole} holds ${key} from Polaris; leave it out of the set (it is never revoked)`,
        });
      }
    }
  });

export type GrantSetInputs = z.output<typeof grantSetInputsSchema>;
type Grants = Record<string, GrantSpec>;

type Impl = ProviderImplementation<GrantSetInputs, GrantSetInputs>;

const client = (connection: unknown) => clientFor(resolveConnection(connection));

/** The role's grants as a set, without the ones Polaris manages itself; undefined when the role is gone. */
async function currentGrants(inputs: Pick<GrantSetInputs, "connection" | "catalog" | "catalogRole">) {
  const listed = await grantsOfRole(client(inputs.connection), inputs.catalog, inputs.catalogRole);
  if (!listed) return undefined;
  const system = SYSTEM_GRANTS[inputs.catalogRole] ?? [];
  const grants: Grants = {};
  for (const grant of listed.map(fromPolaris)) {
    const key = grantId(grant);
    if (!system.includes(key)) grants[key] = grant;
  }
  return grants;
}

/** Adds what is declared and missing, then revokes what is held and not declared. */
async function converge(inputs: GrantSetInputs, held: Grants): Promise<void> {
  const polaris = client(inputs.connection);
  const missing = Object.entries(inputs.grants).filter(([key]) => !(key in held));
  const extra = Object.entries(held).filter(([key]) => !(key in inputs.grants));
  await forEachAtMost(missing, GRANT_WRITES_AT_ONCE, ([, grant]) =>
    addGrant(polaris, inputs.catalog, inputs.catalogRole, grant),
  );
  await forEachAtMost(extra, GRANT_WRITES_AT_ONCE, ([, grant]) =>
    revokeGrant(polaris, inputs.catalog, inputs.catalogRole, grant),
  );
}

const sameKeys = (a: Grants, b: Grants) =>
  Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((key) => key in b);

export const check: Impl["check"] = async (_olds, news) =>
  checkInputs(grantSetInputsSchema, news as never) as never;

export const diff: Impl["diff"] = async (_id, olds, raw) => {
  const news = parseInputs("grant set", grantSetInputsSchema, raw);
  const replaces = (["catalog", "catalogRole"] as const).filter((key) => olds[key] !== news[key]);
  if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
  return { changes: !sameKeys(olds.grants, news.grants) };
};

export const create: Impl["create"] = async (raw) => {
  const inputs = parseInputs("grant set", grantSetInputsSchema, raw);
  const held = await currentGrants(inputs);
  if (!held) {
    throw new Error(
      `catalog role ${inputs.catalogRole} does not exist in catalog ${inputs.catalog}; declare it first`,
    );
  }
  await converge(inputs, held);
  return { id: `${inputs.catalog}/${inputs.catalogRole}`, outs: inputs };
};

export const read: Impl["read"] = async (id, props) => {
  const held = await currentGrants(props);
  return held ? { id, props: { ...props, grants: held } } : {};
};

export const update: Impl["update"] = async (_id, _olds, raw) => {
  const news = parseInputs("grant set", grantSetInputsSchema, raw);
  await converge(news, (await currentGrants(news)) ?? {});
  return { outs: news };
};

export const remove: Impl["delete"] = async (_id, props) => {
  const polaris = client(props.connection);
  await forEachAtMost(Object.values(props.grants), GRANT_WRITES_AT_ONCE, (grant) =>
    revokeGrant(polaris, props.catalog, props.catalogRole, grant),
  );
};
export { remove as delete };
