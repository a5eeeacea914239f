/**
 * Role assignments: a principal role granted to a principal, and a catalog role assigned to a principal
 * role. Assigning is idempotent in Polaris, so an existing assignment is simply taken over; deleting the
 * resource revokes it. The assignments Polaris makes itself (root to service_admin, each catalog's
 * catalog_admin to service_admin) cannot be declared: revoking them would lock the administrator out.
 * No Pulumi import.
 */
import { z } from "zod";
import type { ProviderImplementation } from "../dynamic/contract";
import type { PolarisClient } from "../polaris/client";
import { isPolarisApiError } from "../polaris/client/errors";
import { sameValue } from "./shared/canonical";
import { checkInputs, parseInputs } from "./shared/check";
import { clientFor, connectionSchema, resolveConnection } from "./shared/connection";
import { BUILT_IN, entityName } from "./shared/names";

export const schemaVersion = 1;

interface AssignmentKind<Inputs> {
  kind: string;
  schema: z.ZodType<Inputs>;
  id(inputs: Inputs): string;
  assign(polaris: PolarisClient, inputs: Inputs): Promise<void>;
  revoke(polaris: PolarisClient, inputs: Inputs): Promise<void>;
  exists(polaris: PolarisClient, inputs: Inputs): Promise<boolean>;
}

type WithConnection = { connection?: z.output<typeof connectionSchema> };

function assignmentImplementation<Inputs extends WithConnection>(
  assignment: AssignmentKind<Inputs>,
): ProviderImplementation<Inputs, Inputs> {
  const client = (connection: unknown) => clientFor(resolveConnection(connection));
  return {
    check: async (_olds, news) => checkInputs(assignment.schema, news as never) as never,
    diff: async (_id, olds, raw) => {
      const news = parseInputs(assignment.kind, assignment.schema, raw);
      const changed = Object.keys(news).filter(
        (key) => key !== "connection" && !sameValue(olds[key as keyof Inputs], news[key as keyof Inputs]),
      );
      return changed.length > 0 ? { changes: true, replaces: changed } : { changes: false };
    },
    create: async (raw) => {
      const inputs = parseInputs(assignment.kind, assignment.schema, raw);
      await assignment.assign(client(inputs.connection), inputs);
      return { id: assignment.id(inputs), outs: inputs };
    },
    read: async (id, props) => {
      try {
        return (await assignment.exists(client(props.connection), props)) ? { id, props } : {};
      } catch (error) {
        if (isPolarisApiError(error, 404)) return {};
        throw error;
      }
    },
    delete: async (_id, props) => {
      try {
        await assignment.revoke(client(props.connection), props);
      } catch (error) {
        if (!isPolarisApiError(error, 404) && !alreadyRevoked(error)) throw error;
      }
    },
  };
}

/** Polaris 1.4.1 answers 400 GRANT_NOT_FOUND when the assignment is gone already. */
function alreadyRevoked(error: unknown): boolean {
  return (
    isPolarisApiError(error, 400) && /GRANT_NOT_FOUND/.test(`${error.polarisType} ${error.polarisMessage}`)
  );
}

const principalRoleAssignmentSchema = z
  .strictObject({
    connection: connectionSchema.optional(),
    principal: entityName("principal"),
    principalRole: entityName("principal role"),
  })
  .refine(
    (inputs) => !(inputs.principal === BUILT_IN.principal && inputs.principalRole === BUILT_IN.principalRole),
    {
      path: ["principalRole"],
      message: "root holds service_admin from the start; that assignment is built in and cannot be declared",
    },
  );

export type PrincipalRoleAssignmentInputs = z.output<typeof principalRoleAssignmentSchema>;

export const principalRoleAssignment = assignmentImplementation<PrincipalRoleAssignmentInputs>({
  kind: "principal role assignment",
  schema: principalRoleAssignmentSchema,
  id: ({ principal, principalRole }) => `${principal}/${principalRole}`,
  assign: (polaris, { principal, principalRole }) => polaris.assignPrincipalRole(principal, principalRole),
  revoke: (polaris, { principal, principalRole }) => polaris.revokePrincipalRole(principal, principalRole),
  exists: async (polaris, { principal, principalRole }) =>
    (await polaris.listPrincipalRolesOfPrincipal(principal)).some((role) => role.name === principalRole),
});

const catalogRoleAssignmentSchema = z
  .strictObject({
    connection: connectionSchema.optional(),
    catalog: entityName("catalog"),
    catalogRole: entityName("catalog role"),
    principalRole: entityName("principal role"),
  })
  .refine(
    (inputs) =>
      !(inputs.catalogRole === BUILT_IN.catalogRole && inputs.principalRole === BUILT_IN.principalRole),
    {
      path: ["catalogRole"],
      message:
        "every catalog's catalog_admin is assigned to service_admin by Polaris; that assignment cannot be declared",
    },
  );

export type CatalogRoleAssignmentInputs = z.output<typeof catalogRoleAssignmentSchema>;

export const catalogRoleAssignment = assignmentImplementation<CatalogRoleAssignmentInputs>({
  kind: "catalog role assignment",
  schema: catalogRoleAssignmentSchema,
  id: ({ catalog, catalogRole, principalRole }) => `${principalRole}/${catalog}/${catalogRole}`,
  assign: (polaris, { catalog, catalogRole, principalRole }) =>
    polaris.assignCatalogRole(principalRole, catalog, catalogRole),
  revoke: (polaris, { catalog, catalogRole, principalRole }) =>
    polaris.revokeCatalogRole(principalRole, catalog, catalogRole),
  exists: async (polaris, { catalog, catalogRole, principalRole }) =>
    (await polaris.listCatalogRolesOfPrincipalRole(principalRole, catalog)).some(
      (role) => role.name === catalogRole,
    ),
});
