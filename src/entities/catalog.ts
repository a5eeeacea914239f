/**
 * A Polaris catalog, INTERNAL or EXTERNAL, with its storage and properties. No Pulumi import: the dynamic
 * resource in src/dynamic/catalog.ts hands every operation to the functions here.
 */
import { z } from "zod";
import type { ProviderImplementation } from "../dynamic/contract";
import { isPolarisApiError } from "../polaris/client/errors";
import type { Catalog as PolarisCatalog } from "../polaris/client/types";
import {
  awsArn,
  awsRegion,
  type CatalogStorage,
  declaredStorageView,
  restrictedStorageChanges,
  SERVER_FILLED_STORAGE_FIELDS,
  sameStorage,
  storagePrefixes,
  storageSchema,
} from "./catalog-storage";
import { canonicalJson } from "./shared/canonical";
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
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["name"];
export const deleteBeforeReplace = true;

/*
 * EXTERNAL catalogs: how Polaris reaches the remote catalog it federates to (its `connectionConfigInfo`), one
 * shape per connection and authentication type of the 1.4.1 spec. Polaris keeps the secrets (`clientSecret`,
 * `bearerToken`) but never returns them, and fills in `serviceIdentity` itself: an input may not name it.
 */

const oauth = z.strictObject({
  authenticationType: z.literal("OAUTH"),
  /** @default the remote catalog's `${uri}/v1/oauth/tokens` */
  tokenUri: z
    .url({ protocol: /^https?$/, error: "must be the remote token endpoint's http(s) URL" })
    .optional(),
  // The spec leaves both optional, but a client-credentials exchange cannot do without them.
  clientId: z.string({ error: "clientId is required for OAUTH" }).min(1, "clientId must not be empty"),
  clientSecret: z
    .string({ error: "clientSecret is required for OAUTH" })
    .min(1, "clientSecret must not be empty"),
  scopes: z.array(z.string().min(1, "a scope must not be empty")).optional(),
});

const bearer = z.strictObject({
  authenticationType: z.literal("BEARER"),
  bearerToken: z
    .string({ error: "bearerToken is required for BEARER" })
    .min(1, "bearerToken must not be empty"),
});

const sigv4 = z.strictObject({
  authenticationType: z.literal("SIGV4"),
  roleArn: awsArn("iam"),
  roleSessionName: z
    .string()
    .regex(/^[\w+=,.@-]{2,64}$/, "must be 2 to 64 letters, digits or +=,.@-_ (an AWS role session name)")
    .optional(),
  externalId: z.string().min(2).max(1224).optional(),
  signingRegion: awsRegion(),
  signingName: z.string().min(1).optional(),
});

const implicit = z.strictObject({ authenticationType: z.literal("IMPLICIT") });

// Required although the spec leaves it optional: Polaris 1.4.1 answers a connection without it with a 500.
const authenticationSchema = z.discriminatedUnion("authenticationType", [oauth, bearer, sigv4, implicit], {
  error: (issue) =>
    issue.input === undefined
      ? "authenticationParameters is required, e.g. { authenticationType: OAUTH, clientId, clientSecret }"
      : "authenticationType must be one of OAUTH, BEARER, SIGV4, IMPLICIT",
});

/** One connection type's shape; naming the server-filled `serviceIdentity` gets a pointer to the output. */
function connectionShape<Type extends string, Shape extends z.ZodRawShape>(
  connectionType: Type,
  shape: Shape,
) {
  return z.strictObject(
    { connectionType: z.literal(connectionType), ...shape, authenticationParameters: authenticationSchema },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys" && issue.keys.includes("serviceIdentity")
          ? "serviceIdentity is filled in by Polaris: remove it, and read the catalog's `serviceIdentity` output"
          : undefined,
    },
  );
}

// Polaris refuses a uri that java.net.URL cannot parse; for HIVE it also takes thrift://.
const connectionConfigSchema = z.discriminatedUnion(
  "connectionType",
  [
    connectionShape("ICEBERG_REST", {
      uri: z.url({
        protocol: /^https?$/,
        error: "must be the remote Iceberg REST catalog's http(s) URL, such as https://host/api/catalog",
      }),
      /** The catalog (warehouse) inside the remote service. @default the remote service's default */
      remoteCatalogName: z.string().min(1).optional(),
    }),
    connectionShape("HADOOP", {
      uri: z.url({ error: "must be the remote Hadoop catalog's URL" }),
      warehouse: z.string().min(1).optional(),
    }),
    connectionShape("HIVE", {
      uri: z.url({ error: "must be the Hive metastore's URL, such as thrift://host:9083" }),
      warehouse: z.string().min(1).optional(),
    }),
  ],
  { error: "connectionType must be one of ICEBERG_REST, HADOOP, HIVE" },
);

export type ConnectionConfig = z.output<typeof connectionConfigSchema>;

/** Authentication fields Polaris accepts but never returns. */
const CONNECTION_SECRETS = ["clientSecret", "bearerToken"] as const;

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
  /** The identity Polaris uses towards the remote catalog (for SIGV4, the IAM ARN the role must trust). */
  serviceIdentity?: Record<string, unknown>;
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

type Fields = Record<string, unknown>;

/** The server's values of the declared keys (all of them when nothing is declared), and `always`. */
function onlyDeclared(server: Fields, declared: Fields | undefined, always: string): Fields {
  if (declared === undefined) return { ...server };
  const view: Fields = { [always]: server[always] };
  for (const key of Object.keys(declared)) if (server[key] !== undefined) view[key] = server[key];
  return view;
}

/**
 * The server's connection seen through the declared one: keys nobody declared are left out, so server
 * defaults never show as drift; the secrets, which Polaris never returns, are the declared ones (from state
 * at refresh); `serviceIdentity` is reported apart.
 */
export function declaredConnectionView(
  server: Fields | undefined,
  declared: ConnectionConfig | undefined,
): ConnectionConfig | undefined {
  if (server === undefined) return undefined;
  const { serviceIdentity: _, authenticationParameters, ...rest } = server;
  const view = onlyDeclared(rest, declared, "connectionType");
  const declaredAuth = declared?.authenticationParameters as Fields | undefined;
  const auth = onlyDeclared((authenticationParameters ?? {}) as Fields, declaredAuth, "authenticationType");
  if (declaredAuth && auth.authenticationType === declaredAuth.authenticationType) {
    for (const key of CONNECTION_SECRETS) if (key in declaredAuth) auth[key] = declaredAuth[key];
  }
  if (authenticationParameters !== undefined || declaredAuth) view.authenticationParameters = auth;
  return view as ConnectionConfig;
}

/** Compares connections whatever the order of their keys. */
export function sameConnection(a: ConnectionConfig | undefined, b: ConnectionConfig | undefined): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
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
  const connection = connectionOf(server);
  const outputs: CatalogOutputs = {
    ...declared,
    type: server.type,
    defaultBaseLocation: serverProperties["default-base-location"] ?? "",
    properties: declaredView(serverProperties, declared.properties),
    storage: declaredStorageView(storage, declared.storage, serverProperties["default-base-location"]),
    connectionConfig: declaredConnectionView(connection, declared.connectionConfig),
    entityVersion: server.entityVersion ?? 0,
    serverStorage,
    createTimestamp: server.createTimestamp,
  };
  if (connection?.serviceIdentity !== undefined)
    outputs.serviceIdentity = connection.serviceIdentity as Fields;
  if (outputs.connectionConfig === undefined) delete outputs.connectionConfig;
  return outputs;
}

function connectionOf(server: PolarisCatalog): Fields | undefined {
  return (server as { connectionConfigInfo?: Fields }).connectionConfigInfo;
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
    [
      "connectionConfig",
      sameConnection(view.connectionConfig, declared.connectionConfig)
        ? redactedConnection(declared.connectionConfig)
        : redactedConnection(view.connectionConfig),
      redactedConnection(declared.connectionConfig),
    ],
  ]);
}

/** A connection fit for an error message: the secrets masked. */
function redactedConnection(connection: ConnectionConfig | undefined): unknown {
  if (connection === undefined) return null;
  const auth: Fields = { ...connection.authenticationParameters };
  for (const key of CONNECTION_SECRETS) if (key in auth) auth[key] = "<secret>";
  return { ...connection, authenticationParameters: auth };
}

export const check: Impl["check"] = async (_olds, news) =>
  checkInputs(catalogInputsSchema, news as unknown as Record<string, unknown>) as never;

/** Changes Polaris cannot apply in place: the fields, and whether a replacement is allowed instead. */
function refusedChanges(olds: CatalogOutputs, news: CatalogInputs): string[] {
  const refused = olds.type === news.type ? [] : ["type"];
  if (!news.allowUnrestrictedStorageChanges)
    refused.push(...restrictedStorageChanges(olds.storage, news.storage));
  if (olds.type === "EXTERNAL" && !sameConnection(olds.connectionConfig, news.connectionConfig)) {
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
          "." +
          (refused.includes("connectionConfig")
            ? " Polaris 1.4.1 has no way to change a catalog's connection, its secrets included."
            : ""),
      );
    }
    // A federated catalog's namespaces are the remote catalog's: dropping the catalog leaves them alone.
    const federated = olds.connectionConfig !== undefined;
    const namespaces = federated
      ? []
      : await client(news.connection ?? olds.connection).listNamespaces(news.name);
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
    !sameConnection(olds.connectionConfig, news.connectionConfig);
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
  }).catch((error: unknown) => {
    throw explainRefusal(error, inputs) ?? error;
  });
  let catalog = result.entity;
  if (result.how !== "created") catalog = await converge(inputs, inputs, catalog);
  return { id: inputs.name, outs: observed(catalog, inputs) };
};

/**
 * What Polaris 1.4.1 answers when a server setting forbids the catalog, as an error that names the input
 * and the setting: its own texts name neither.
 */
function explainRefusal(error: unknown, inputs: CatalogInputs): Error | undefined {
  if (!isPolarisApiError(error) || error.polarisMessage === undefined) return undefined;
  const said = `(Polaris: ${error.status} ${error.polarisMessage})`;
  const storageType = /^Unsupported storage type: (\S+)/.exec(error.polarisMessage)?.[1];
  const connectionType = /^Unsupported connection type: (\S+)/.exec(error.polarisMessage)?.[1];
  const authenticationType = /^Unsupported authentication type: (\S+)/.exec(error.polarisMessage)?.[1];
  let message: string | undefined;
  if (storageType !== undefined) {
    message =
      `storage.storageType ${storageType} is not allowed by this Polaris server ${said}. Use a storage type ` +
      'listed in its polaris.features."SUPPORTED_CATALOG_STORAGE_TYPES", or add it there' +
      (storageType === "FILE"
        ? ' (FILE also needs polaris.features."ALLOW_INSECURE_STORAGE_TYPES"=true; for tests only).'
        : ".");
  } else if (/ENABLE_CATALOG_FEDERATION/.test(error.polarisMessage)) {
    message =
      `a connectionConfig needs catalog federation, which this Polaris server has not enabled ${said}. ` +
      'Start it with polaris.features."ENABLE_CATALOG_FEDERATION"=true, or remove connectionConfig.';
  } else if (connectionType !== undefined) {
    message =
      `connectionConfig.connectionType ${connectionType} is not allowed by this Polaris server ${said}. Add it ` +
      'to its polaris.features."SUPPORTED_CATALOG_CONNECTION_TYPES" (default ["ICEBERG_REST"]).';
  } else if (authenticationType !== undefined) {
    message =
      `connectionConfig.authenticationParameters.authenticationType ${authenticationType} is not allowed by ` +
      `this Polaris server ${said}. Add it to its polaris.features."SUPPORTED_EXTERNAL_CATALOG_AUTHENTICATION_TYPES" ` +
      '(default ["OAUTH","BEARER","SIGV4"]).';
  }
  return message === undefined
    ? undefined
    : new Error(`catalog "${inputs.name}": ${message}`, { cause: error });
}

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
        declaredStorageView(
          latest.storageConfigInfo as unknown as Record<string, unknown>,
          news.storage,
          (latest.properties as Properties)["default-base-location"],
        ),
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
        { cause: error },
      );
    }
    throw error;
  }
};

export type { CatalogStorage };
export { remove as delete };
