/**
 * One additive grant on a catalog role. Several may target one role, and none of them touches grants it
 * does not declare; destroying it revokes only its own grant. No Pulumi import.
 */
import { z } from "zod";
import type { ProviderImplementation } from "../dynamic/contract";
import { addGrant, revokeGrant, sharedGrantsOfRole } from "./grant-calls";
import { fromPolaris, type GrantSpec, grantId, grantSpecSchema, SYSTEM_GRANTS } from "./grant-spec";
import { checkInputs, parseInputs } from "./shared/check";
import { clientFor, connectionSchema, resolveConnection } from "./shared/connection";
import { entityName } from "./shared/names";

export const schemaVersion = 1;
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["catalog", "catalogRole", "grant"];
export const deleteBeforeReplace = false;

export const grantInputsSchema = z.strictObject({
  connection: connectionSchema.optional(),
  catalog: entityName("catalog"),
  catalogRole: entityName("catalog role"),
  grant: grantSpecSchema,
});

export type GrantInputs = z.output<typeof grantInputsSchema>;
export interface GrantOutputs extends GrantInputs {
  grantId: string;
}

type Impl = ProviderImplementation<GrantInputs, GrantOutputs>;

const id = (inputs: GrantInputs) => `${inputs.catalog}/${inputs.catalogRole}/${grantId(inputs.grant)}`;

export const check: Impl["check"] = async (_olds, news) =>
  checkInputs(grantInputsSchema, news as never, (inputs) =>
    (SYSTEM_GRANTS[inputs.catalogRole] ?? []).includes(grantId(inputs.grant))
      ? [
          {
            property: "grant",
            reason: `${inputs.catalogRole} holds ${grantId(inputs.grant)} from Polaris; it cannot be declared`,
          },
        ]
      : [],
  ) as never;

export const diff: Impl["diff"] = async (_id, olds, raw) => {
  const news = parseInputs("grant", grantInputsSchema, raw);
  const replaces = (["catalog", "catalogRole"] as const).filter((key) => olds[key] !== news[key]);
  if (grantId(olds.grant) !== grantId(news.grant)) replaces.push("grant" as never);
  return replaces.length > 0 ? { changes: true, replaces } : { changes: false };
};

export const create: Impl["create"] = async (raw) => {
  const inputs = parseInputs("grant", grantInputsSchema, raw);
  await addGrant(
    clientFor(resolveConnection(inputs.connection)),
    inputs.catalog,
    inputs.catalogRole,
    inputs.grant,
  );
  return { id: id(inputs), outs: { ...inputs, grantId: grantId(inputs.grant) } };
};

export const read: Impl["read"] = async (resourceId, props) => {
  // A refresh reads every additive grant of a role: they share one listing (see sharedGrantsOfRole).
  const grants = await sharedGrantsOfRole(
    clientFor(resolveConnection(props.connection)),
    props.catalog,
    props.catalogRole,
  );
  const held = grants?.some((grant) => grantId(fromPolaris(grant)) === grantId(props.grant as GrantSpec));
  return held ? { id: resourceId, props } : {};
};

export const remove: Impl["delete"] = async (_id, props) => {
  await revokeGrant(
    clientFor(resolveConnection(props.connection)),
    props.catalog,
    props.catalogRole,
    props.grant,
  );
};
export { remove as delete };
