/**
 * Principal roles and catalog roles: a name and properties each; a catalog role lives in a catalog. No
 * Pulumi import: the dynamic resources in src/dynamic/ hand every operation to these functions.
 */
import { z } from "zod";
import type { ProviderImplementation } from "../dynamic/contract";
import type { PolarisClient } from "../polaris/client";
import { isPolarisApiError } from "../polaris/client/errors";
import type { PrincipalRole } from "../polaris/client/types";
import { checkInputs, parseInputs } from "./shared/check";
import { commonInputs, propertiesSchema } from "./shared/common-inputs";
import { clientFor, resolveConnection } from "./shared/connection";
import { BUILT_IN, builtInMessage, entityName } from "./shared/names";
import { declaredView, OWNER_KEY, type Properties, sameProperties } from "./shared/properties";
import { createOrTakeOver, propertyDifferences } from "./shared/takeover";
import { convergeProperties } from "./shared/versioned-update";

type Role = Pick<PrincipalRole, "name" | "properties" | "entityVersion">;

export interface RoleInputs {
  name: string;
  /** Catalog roles only. */
  catalog?: string;
  properties: Properties;
  owner: string;
  adopt: boolean;
  connection?: z.output<typeof commonInputs.connection>;
}

export interface RoleOutputs extends RoleInputs {
  entityVersion: number;
}

/** What differs between the two kinds of role: where they live and which name is built in. */
interface RoleKind {
  kind: "principal role" | "catalog role";
  builtIn: string;
  schema: z.ZodType<RoleInputs>;
  get(polaris: PolarisClient, inputs: Pick<RoleInputs, "catalog" | "name">): Promise<Role>;
  create(polaris: PolarisClient, inputs: RoleInputs, properties: Properties): Promise<Role>;
  update(polaris: PolarisClient, inputs: RoleInputs, version: number, properties: Properties): Promise<Role>;
  delete(polaris: PolarisClient, inputs: Pick<RoleInputs, "catalog" | "name">): Promise<void>;
  id(inputs: Pick<RoleInputs, "catalog" | "name">): string;
}

function roleSchema(kind: string, builtIn: string, inCatalog: boolean) {
  return z
    .strictObject({
      ...commonInputs,
      name: entityName(kind).refine((name) => name !== builtIn, builtInMessage(kind, builtIn)),
      ...(inCatalog ? { catalog: entityName("catalog") } : {}),
      properties: propertiesSchema,
    })
    .transform((inputs) => inputs as RoleInputs);
}

export const principalRoleKind: RoleKind = {
  kind: "principal role",
  builtIn: BUILT_IN.principalRole,
  schema: roleSchema("principal role", BUILT_IN.principalRole, false) as unknown as z.ZodType<RoleInputs>,
  get: (polaris, { name }) => polaris.getPrincipalRole(name),
  create: (polaris, { name }, properties) => polaris.createPrincipalRole({ name, properties }),
  update: (polaris, { name }, version, properties) =>
    polaris.updatePrincipalRole(name, { currentEntityVersion: version, properties }),
  delete: (polaris, { name }) => polaris.deletePrincipalRole(name),
  id: ({ name }) => name,
};

export const catalogRoleKind: RoleKind = {
  kind: "catalog role",
  builtIn: BUILT_IN.catalogRole,
  schema: roleSchema("catalog role", BUILT_IN.catalogRole, true) as unknown as z.ZodType<RoleInputs>,
  get: (polaris, { catalog, name }) => polaris.getCatalogRole(catalog!, name),
  create: (polaris, { catalog, name }, properties) =>
    polaris.createCatalogRole(catalog!, { name, properties }),
  update: (polaris, { catalog, name }, version, properties) =>
    polaris.updateCatalogRole(catalog!, name, { currentEntityVersion: version, properties }),
  delete: (polaris, { catalog, name }) => polaris.deleteCatalogRole(catalog!, name),
  id: ({ catalog, name }) => `${catalog}/${name}`,
};

/** The provider functions for one kind of role. */
export function roleImplementation(role: RoleKind): ProviderImplementation<RoleInputs, RoleOutputs> {
  const client = (connection: unknown) => clientFor(resolveConnection(connection));
  const observed = (server: Role, declared: RoleInputs): RoleOutputs => ({
    ...declared,
    properties: declaredView(server.properties as Properties, declared.properties),
    entityVersion: server.entityVersion ?? 0,
  });
  const getIfExists = async (inputs: RoleInputs) => {
    try {
      return await role.get(client(inputs.connection), inputs);
    } catch (error) {
      if (isPolarisApiError(error, 404)) return undefined;
      throw error;
    }
  };
  const converge = (previous: Properties, news: RoleInputs, current: Role) => {
    const polaris = client(news.connection);
    return convergeProperties(
      current,
      () => role.get(polaris, news),
      { previous, declared: news.properties, owner: news.owner },
      (version, properties) => role.update(polaris, news, version, properties),
    );
  };

  return {
    check: async (_olds, news) => checkInputs(role.schema, news as never) as never,
    diff: async (_id, olds, raw) => {
      const news = parseInputs(role.kind, role.schema, raw);
      const replaces = [
        ...(olds.name !== news.name ? ["name"] : []),
        ...(olds.catalog !== news.catalog ? ["catalog"] : []),
      ];
      if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
      return { changes: !sameProperties(olds.properties, news.properties) };
    },
    create: async (raw) => {
      const inputs = parseInputs(role.kind, role.schema, raw);
      const polaris = client(inputs.connection);
      const result = await createOrTakeOver({
        kind: role.kind,
        name: role.id(inputs),
        owner: inputs.owner,
        adopt: inputs.adopt,
        create: () => role.create(polaris, inputs, { ...inputs.properties, [OWNER_KEY]: inputs.owner }),
        get: () => getIfExists(inputs),
        properties: (entity) => entity.properties as Properties,
        differences: (entity) => propertyDifferences(entity.properties, inputs.properties),
      });
      const entity =
        result.how === "created" ? result.entity : await converge(inputs.properties, inputs, result.entity);
      return { id: role.id(inputs), outs: observed(entity, inputs) };
    },
    read: async (id, props) => {
      const entity = await getIfExists(props);
      return entity ? { id, props: observed(entity, props) } : {};
    },
    update: async (_id, olds, raw) => {
      const news = parseInputs(role.kind, role.schema, raw);
      const current = await role.get(client(news.connection), news);
      return { outs: observed(await converge(olds.properties, news, current), news) };
    },
    delete: async (_id, props) => {
      try {
        await role.delete(client(props.connection), props);
      } catch (error) {
        if (!isPolarisApiError(error, 404)) throw error;
      }
    },
  };
}
