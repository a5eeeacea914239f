/**
 * A Polaris catalog, INTERNAL or EXTERNAL, with its storage and properties. No Pulumi import: the dynamic
 * resource in src/dynamic/catalog.ts hands every operation to the functions here.
 */
import { z } from "zod";
import type { ProviderImplementation } from "../dynamic/contract";
import { isPolarisApiError } from "../polaris/client/errors";
import type { Catalog as PolarisCatalog } from "../polaris/client/types";
import {
  type CatalogStorage,
  declaredStorageView,
  restrictedStorageChanges,
  SERVER_FILLED_STORAGE_FIELDS,
  sameStorage,
  storagePrefixes,
  storageSchema,
} from "./catalog-storage";
import { checkInputs, parseInputs } from "./shared/check";
import { commonInputs, propertiesSchema } from "./shared/common-inputs";
import { clientFor, type PolarisConnection, resolveConnection } from "./shared/connection";
import { entityName } from "./shared/names";
import {
  declaredView,
  mergedForUpdate,
  OWNER_KEY,
  type Properties,
  sameProperties,
} from "./shared/properties";
import { createOrTakeOver, describeDifferences } from "./shared/takeover";
import { retryOnVersionConflict } from "./shared/versioned-update";

export const schemaVersion = 1;

const connectionConfigSchema = z.looseObject({
  connectionType: z.enum(["ICEBERG_REST", "HADOOP", "HIVE"]),
  uri: z.url({ error: "connectionConfig.uri must be the remote catalog's URL" }),
});

export const catalogInputsSchema = z
  .strictObject({
    ...commonInputs,
    name: entityName("catalog"),
    type: z
      .enum(["INTERNAL", "EXTERNAL"], { error: "type must be INTERNAL or EXTERNAL" })
      .default("INTERNAL"),
    /** Where new namespaces and tables go unless they say otherwise; Polaris' `default-base-location`. */
    defaultBaseLocation: z.string({ error: "defaultBaseLocation is required" }),
    properties: propertiesSchema,
    storage: storageSchema,
    /** EXTERNAL catalogs only: the remote catalog Polaris federates to. */
    connectionConfig: connectionConfigSchema.optional(),
    /** The server runs with ALLOW_UNRESTRICTED_STORAGE_CONFIG_ROLE_CHANGES. */
    allowUnrestrictedStorageChanges: z.boolean().default(false),
    /** A change Polaris refuses in place may replace the catalog, but only while it holds no namespace. */
    allowReplace: z.boolean().default(false),
  })
  .superRefine((inputs, context) => {
    if ("default-base-location" in inputs.properties) {
      context.addIssue({
        code: "custom",
        path: ["properties", "default-base-location"],
        message: "set the default base location with `defaultBaseLocation`, not as a property",
      });
    }
    const prefixes = storagePrefixes(inputs.storage.storageType);
    if (!prefixes.some((prefix) => inputs.defaultBaseLocation.startsWith(prefix))) {
      context.addIssue({
        code: "custom",
        path: ["defaultBaseLocation"],
        message: `must be an absolute ${inputs.storage.storageType} location starting with ${prefixes.join(" or ")}`,
      });
    }
    if (inputs.type === "INTERNAL" && inputs.connectionConfig) {
      context.addIssue({
        code: "custom",
        path: ["connectionConfig"],
        message: "only EXTERNAL catalogs have a connectionConfig; set type: EXTERNAL or remove it",
      });
    }
  });

export type CatalogInputs = z.output<typeof catalogInputsSchema>;

export interface CatalogOutputs extends CatalogInputs {
  entityVersion: number;
  /** Fields Polaris filled in itself, such as the S3 `userArn` that the storage role must trust. */
  serverStorage: Record<string, unknown>;
  createTimestamp?: number;
}

type Impl = ProviderImplementation<CatalogInputs, CatalogOutputs>;

const client = (connection: unknown) => clientFor(resolveConnection(connection));

function requestBody(inputs: CatalogInputs): PolarisCatalog {
  return {
    type: inputs.type,
    name: inputs.name,
    properties: {
      ...inputs.properties,
      "default-base-location": inputs.defaultBaseLocation,
      [OWNER_KEY]: inputs.owner,
    },
    storageConfigInfo: inputs.storage,
    ...(inputs.connectionConfig ? { connectionConfigInfo: inputs.connectionConfig } : {}),
  } as PolarisCatalog;
}

/** The outputs for what Polaris holds, seen through what the resource declares. */
function observed(server: PolarisCatalog, declared: CatalogInputs): CatalogOutputs {
  const serverProperties = (server.properties ?? {}) as Properties;
  const storage = server.storageConfigInfo as unknown as Record<string, unknown>;
  const serverStorage = Object.fromEntries(
    SERVER_FILLED_STORAGE_FIELDS.filter((key) => storage[key] !== undefined).map((key) => [
      key,
      storage[key],
    ]),
  );
  if (storage.externalId !== undefined && !("externalId" in declared.storage))
    serverStorage.externalId = storage.externalId;
  return {
    ...declared,
    type: server.type,
    defaultBaseLocation: serverProperties["default-base-location"] ?? "",
    properties: declaredView(serverProperties, declared.properties),
    storage: declaredStorageView(storage, declared.storage),
    entityVersion: server.entityVersion ?? 0,
    serverStorage,
    createTimestamp: server.createTimestamp,
  };
}

function differences(server: PolarisCatalog, declared: CatalogInputs): string[] {
  const view = observed(server, declared);
  return describeDifferences([
    ["type", view.type, declared.type],
    ["defaultBaseLocation", view.defaultBaseLocation, declared.defaultBaseLocation],
    ["properties", view.properties, declared.properties],
    [
      "storage",
      sameStorage(view.storage, declared.storage) ? declared.storage : view.storage,
      declared.storage,
    ],
  ]);
}

export const check: Impl["check"] = async (_olds, news) =>
  checkInputs(catalogInputsSchema, news as unknown as Record<string, unknown>) as never;

/** Changes Polaris cannot apply in place: the fields, and whether a replacement is allowed instead. */
function refusedChanges(olds: CatalogOutputs, news: CatalogInputs): string[] {
  const refused = olds.type === news.type ? [] : ["type"];
  if (!news.allowUnrestrictedStorageChanges)
    refused.push(...restrictedStorageChanges(olds.storage, news.storage));
  if (
    olds.type === "EXTERNAL" &&
    JSON.stringify(olds.connectionConfig) !== JSON.stringify(news.connectionConfig)
  ) {
    refused.push("connectionConfig");
  }
  return refused;
}

export const diff: Impl["diff"] = async (_id, olds, newsRaw) => {
  const news = parseInputs("catalog", catalogInputsSchema, newsRaw);
  if (olds.name !== news.name) return { changes: true, replaces: ["name"], deleteBeforeReplace: true };
  const refused = refusedChanges(olds, news);
  if (refused.length > 0) {
    if (!news.allowReplace) {
      throw new Error(
        `catalog "${news.name}": Polaris cannot change ${refused.join(", ")} in place. Ways out: keep the current ` +
          "value; or set `allowReplace: true` to delete and recreate the catalog (only possible while it holds no " +
          "namespace)" +
          (refused.some((field) => field.startsWith("storage."))
            ? "; or, if the server runs with ALLOW_UNRESTRICTED_STORAGE_CONFIG_ROLE_CHANGES, set `allowUnrestrictedStorageChanges: true`"
            : "") +
          ".",
      );
    }
    const namespaces = await client(news.connection ?? olds.connection).listNamespaces(news.name);
    if (namespaces.length > 0) {
      throw new Error(
        `catalog "${news.name}": replacing it to change ${refused.join(", ")} would drop ${namespaces.length} ` +
          `namespace(s) (${namespaces.map((n) => n.join(".")).join(", ")}). A catalog holding namespaces is never ` +
          "replaced; move its content first, or keep the current value.",
      );
    }
    return {
      changes: true,
      replaces: refused.map((field) => field.split(".")[0]!),
      deleteBeforeReplace: true,
    };
  }
  const changed =
    olds.defaultBaseLocation !== news.defaultBaseLocation ||
    !sameProperties(olds.properties, news.properties) ||
    !sameStorage(olds.storage, news.storage) ||
    JSON.stringify(olds.connectionConfig ?? null) !== JSON.stringify(news.connectionConfig ?? null);
  return { changes: changed };
};

export const create: Impl["create"] = async (raw) => {
  const inputs = parseInputs("catalog", catalogInputsSchema, raw);
  const polaris = client(inputs.connection);
  const result = await createOrTakeOver({
    kind: "catalog",
    name: inputs.name,
    owner: inputs.owner,
    adopt: inputs.adopt,
    create: () => polaris.createCatalog(requestBody(inputs)),
    get: () => getIfExists(inputs.connection, inputs.name),
    properties: (catalog) => catalog.properties as Properties,
    differences: (catalog) => differences(catalog, inputs),
  });
  let catalog = result.entity;
  if (result.how !== "created") catalog = await converge(inputs, inputs, catalog);
  return { id: inputs.name, outs: observed(catalog, inputs) };
};

async function getIfExists(connection: PolarisConnection | undefined, name: string) {
  try {
    return await client(connection).getCatalog(name);
  } catch (error) {
    if (isPolarisApiError(error, 404)) return undefined;
    throw error;
  }
}

/** Writes what `news` declares over what Polaris holds, keeping keys nobody declared. */
async function converge(
  previous: Pick<CatalogInputs, "properties">,
  news: CatalogInputs,
  current: PolarisCatalog,
): Promise<PolarisCatalog> {
  const polaris = client(news.connection);
  return retryOnVersionConflict(
    current,
    () => polaris.getCatalog(news.name),
    (latest) => {
      const properties = mergedForUpdate(
        latest.properties as Properties,
        previous.properties,
        { ...news.properties, "default-base-location": news.defaultBaseLocation },
        { [OWNER_KEY]: news.owner },
      );
      const storageChanged = !sameStorage(
        declaredStorageView(latest.storageConfigInfo as unknown as Record<string, unknown>, news.storage),
        news.storage,
      );
      if (sameProperties(properties, latest.properties as Properties) && !storageChanged) return undefined;
      return polaris.updateCatalog(news.name, {
        currentEntityVersion: latest.entityVersion!,
        properties,
        ...(storageChanged ? { storageConfigInfo: news.storage } : {}),
      });
    },
  );
}

export const read: Impl["read"] = async (id, props) => {
  const catalog = await getIfExists(props.connection, id);
  return catalog ? { id, props: observed(catalog, props) } : {};
};

export const update: Impl["update"] = async (id, olds, raw) => {
  const news = parseInputs("catalog", catalogInputsSchema, raw);
  const current = await client(news.connection).getCatalog(id);
  const catalog = await converge(olds, news, current);
  return { outs: observed(catalog, news) };
};

export const remove: Impl["delete"] = async (id, props) => {
  try {
    await client(props.connection).deleteCatalog(id);
  } catch (error) {
    if (isPolarisApiError(error, 404)) return;
    if (isPolarisApiError(error, 400) || isPolarisApiError(error, 409)) {
      throw new Error(
        `catalog "${id}" cannot be deleted while it holds namespaces or catalog roles other than catalog_admin ` +
          `(${error.polarisMessage ?? error.message}). Declare them in this stack so they are deleted first, or ` +
          "remove them in Polaris.",
      );
    }
    throw error;
  }
};

export type { CatalogStorage };
export { remove as delete };
