/**
 * From a validated setup YAML to the entities this library declares for it, as plain data: what
 * PolarisSetup registers as resources. It follows `polaris setup apply`: the parents of a nested
 * namespace are created too; built-in entities (root, service_admin, catalog_admin) are referenced, never
 * declared; table and view privileges are left out. What the library cannot send (fields of later
 * Polaris releases) is refused here with the key path. No Pulumi import.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { GrantArgs } from "../dynamic/grants";
import { SYSTEM_GRANTS } from "../entities/grant-spec";
import { BUILT_IN } from "../entities/shared/names";
import type { SetupCatalog, SetupConnection, SetupDocument, SetupPolicy } from "./document";
import { keyPath, SetupYamlError } from "./problems";

type Properties = Record<string, string>;

/** The keys Polaris fills in itself; a YAML from `polaris setup export` carries them. Never sent. */
export const SERVER_FILLED_KEYS = [
  "user_arn",
  "multi_tenant_app_name",
  "consent_url",
  "service_account",
  "connection.service_identity",
] as const;

/** Properties under this prefix are this library's own (the ownership marker); never declared. */
const RESERVED_PROPERTY_PREFIX = "polaris-pulumi.";

export type PlannedStorage = Record<string, unknown> & {
  storageType: "S3" | "AZURE" | "GCS" | "FILE";
  allowedLocations: string[];
};
export type PlannedConnection = Record<string, unknown> & { connectionType: string };

export type PlannedTarget =
  | { type: "catalog" }
  | { type: "namespace"; path: string[] }
  | { type: "table-like"; path: string[] };

export interface PlannedCatalog {
  name: string;
  type: "INTERNAL" | "EXTERNAL";
  defaultBaseLocation: string;
  properties: Properties;
  storage: PlannedStorage;
  connectionConfig?: PlannedConnection;
  /** Every namespace, parents before children, with the properties declared for it. */
  namespaces: { levels: string[]; properties: Properties }[];
  /** Catalog roles to declare (catalog_admin is built in and only referenced). */
  catalogRoles: { name: string; properties: Properties }[];
  /** catalog role -> principal role; catalog_admin's own assignment to service_admin left out. */
  assignments: { catalogRole: string; principalRole: string }[];
  /** Catalog and namespace grants, per catalog role; catalog_admin's built-in grants left out. */
  grants: { catalogRole: string; grant: GrantArgs }[];
  policies: {
    name: string;
    namespace: string[];
    type: string;
    description?: string;
    content: string | Record<string, unknown>;
  }[];
  attachments: { policy: string; target: PlannedTarget }[];
}

export interface SetupPlan {
  principalRoles: { name: string; properties: Properties }[];
  principals: { name: string; properties: Properties }[];
  /** principal -> principal role; root's own service_admin left out. */
  principalRoleAssignments: { principal: string; principalRole: string }[];
  catalogs: PlannedCatalog[];
  /** What the YAML holds that nothing is declared for, said once each. */
  warnings: string[];
}

export interface PlanOptions {
  /** Where policy `file:` paths are read from. */
  baseDir: string;
  /** Names the YAML in messages. */
  source?: string;
}

export function planSetup(document: SetupDocument, options: PlanOptions): SetupPlan {
  const problems: string[] = [];
  const warnings: string[] = [];
  const declared = (path: PropertyKey[], given: Properties) => ownProperties(path, given, warnings);

  const principalRoles = document.principal_roles
    .map((role, index) => ({
      ...role,
      properties: declared(["principal_roles", index, "properties"], role.properties),
    }))
    .filter((role) => role.name !== BUILT_IN.principalRole);
  const principals = Object.entries(document.principals)
    .filter(([name]) => name !== BUILT_IN.principal)
    .map(([name, principal]) => ({
      name,
      properties: declared(["principals", name, "properties"], principal.properties),
    }));
  const principalRoleAssignments = Object.entries(document.principals).flatMap(([principal, entry]) =>
    (entry.roles ?? [])
      .filter((role) => !(principal === BUILT_IN.principal && role === BUILT_IN.principalRole))
      .map((principalRole) => ({ principal, principalRole })),
  );

  const catalogs = document.catalogs.map((catalog, index) =>
    planCatalog(catalog, ["catalogs", index], { ...options, problems, warnings }),
  );
  if (problems.length > 0) throw new SetupYamlError(options.source ?? "the setup YAML", problems);
  return { principalRoles, principals, principalRoleAssignments, catalogs, warnings };
}

interface Context extends PlanOptions {
  problems: string[];
  warnings: string[];
}

function ownProperties(path: PropertyKey[], given: Properties, warnings: string[]): Properties {
  const reserved = Object.keys(given).filter((key) => key.startsWith(RESERVED_PROPERTY_PREFIX));
  if (reserved.length === 0) return given;
  warnings.push(
    `${keyPath(path)}: ${reserved.join(", ")} is this library's ownership marker (a \`polaris setup export\` of a ` +
      "server it manages carries it); it is left out of the declaration",
  );
  return Object.fromEntries(
    Object.entries(given).filter(([key]) => !key.startsWith(RESERVED_PROPERTY_PREFIX)),
  );
}

function planCatalog(catalog: SetupCatalog, at: PropertyKey[], context: Context): PlannedCatalog {
  const refuse = (path: PropertyKey[], message: string) =>
    context.problems.push(`${keyPath([...at, ...path])}: ${message}`);
  for (const key of ["encryption_keys", "decryption_keys"] as const) {
    if (catalog[key] !== undefined) {
      refuse(
        [key],
        `${key} is a field of Polaris 1.5 and later, which this library (made for Polaris 1.4.1) does not send; use current_kms_key and allowed_kms_keys, or remove it`,
      );
    }
  }
  const connectionConfig = catalog.connection
    ? plannedConnection(catalog.connection, [...at, "connection"], context)
    : undefined;

  return {
    name: catalog.name,
    type: catalog.type === "external" ? "EXTERNAL" : "INTERNAL",
    defaultBaseLocation: catalog.default_base_location,
    properties: ownProperties([...at, "properties"], catalog.properties, context.warnings),
    storage: plannedStorage(catalog),
    ...(connectionConfig ? { connectionConfig } : {}),
    namespaces: plannedNamespaces(catalog, at, context),
    ...plannedRoles(catalog, at, context),
    ...plannedPolicies(catalog, at, context),
  };
}

/** Polaris always adds the default base location to the allowed locations; declaring it keeps them equal. */
function allowedLocations(catalog: SetupCatalog): string[] {
  const given = catalog.allowed_locations ?? [];
  const slash = (location: string) => (location.endsWith("/") ? location : `${location}/`);
  const listed = given.some((location) => slash(location) === slash(catalog.default_base_location));
  return listed ? given : [catalog.default_base_location, ...given];
}

function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function plannedStorage(catalog: SetupCatalog): PlannedStorage {
  const common = { allowedLocations: allowedLocations(catalog), storageName: catalog.storage_name };
  switch (catalog.storage_type) {
    case "s3":
      return defined({
        storageType: "S3",
        ...common,
        roleArn: catalog.role_arn,
        externalId: catalog.external_id,
        region: catalog.region,
        endpoint: catalog.endpoint,
        endpointInternal: catalog.endpoint_internal,
        stsEndpoint: catalog.sts_endpoint,
        stsUnavailable: catalog.sts_unavailable,
        kmsUnavailable: catalog.kms_unavailable,
        pathStyleAccess: catalog.path_style_access,
        currentKmsKey: catalog.current_kms_key,
        allowedKmsKeys: catalog.allowed_kms_keys,
      }) as PlannedStorage;
    case "azure":
      return defined({
        storageType: "AZURE",
        ...common,
        tenantId: catalog.tenant_id,
        hierarchical: catalog.hierarchical,
      }) as PlannedStorage;
    case "gcs":
      return defined({ storageType: "GCS", ...common }) as PlannedStorage;
    case "file":
      return defined({ storageType: "FILE", ...common }) as PlannedStorage;
  }
}

const CONNECTION_TYPE = { "iceberg-rest": "ICEBERG_REST", hadoop: "HADOOP", hive: "HIVE" } as const;

function plannedConnection(
  remote: SetupConnection,
  at: PropertyKey[],
  context: Context,
): PlannedConnection | undefined {
  const auth = remote.authentication;
  if (auth === undefined) return undefined;
  if (auth.type === "gcp") {
    context.problems.push(
      `${keyPath([...at, "authentication", "type"])}: gcp authentication comes with Polaris 1.5 and later; this library (made for Polaris 1.4.1) knows oauth, bearer, sigv4 and implicit`,
    );
    return undefined;
  }
  const authenticationParameters = defined(
    auth.type === "oauth"
      ? {
          authenticationType: "OAUTH",
          tokenUri: auth.token_uri,
          clientId: auth.client_id,
          clientSecret: auth.client_secret,
          scopes: auth.scopes,
        }
      : auth.type === "bearer"
        ? { authenticationType: "BEARER", bearerToken: auth.token }
        : auth.type === "sigv4"
          ? {
              authenticationType: "SIGV4",
              roleArn: auth.role_arn,
              roleSessionName: auth.role_session_name,
              externalId: auth.external_id,
              signingRegion: auth.signing_region,
              signingName: auth.signing_name,
            }
          : { authenticationType: "IMPLICIT" },
  );
  return defined({
    connectionType: CONNECTION_TYPE[remote.type],
    uri: remote.uri,
    ...(remote.type === "iceberg-rest"
      ? { remoteCatalogName: remote.remote_catalog_name }
      : { warehouse: remote.warehouse }),
    authenticationParameters,
  }) as PlannedConnection;
}

function plannedNamespaces(catalog: SetupCatalog, at: PropertyKey[], context: Context) {
  const byPath = new Map<string, { levels: string[]; properties: Properties }>();
  catalog.namespaces.forEach((entry, index) => {
    // setup apply creates every parent of a nested namespace, as `mkdir -p` would.
    for (let depth = 1; depth <= entry.levels.length; depth++) {
      const levels = entry.levels.slice(0, depth);
      if (!byPath.has(levels.join("\u001f"))) byPath.set(levels.join("\u001f"), { levels, properties: {} });
    }
    const properties = ownProperties(
      [...at, "namespaces", index, "properties"],
      entry.properties,
      context.warnings,
    );
    // A namespace's location is its `location` property, as setup apply sends it.
    byPath.set(entry.levels.join("\u001f"), {
      levels: entry.levels,
      properties: entry.location === undefined ? properties : { ...properties, location: entry.location },
    });
  });
  return [...byPath.values()].sort((a, b) => a.levels.length - b.levels.length);
}

function plannedRoles(catalog: SetupCatalog, at: PropertyKey[], context: Context) {
  const catalogRoles: PlannedCatalog["catalogRoles"] = [];
  const assignments: PlannedCatalog["assignments"] = [];
  const grants: PlannedCatalog["grants"] = [];
  for (const [role, entry] of Object.entries(catalog.roles)) {
    const here = [...at, "roles", role];
    if (role !== BUILT_IN.catalogRole) {
      catalogRoles.push({
        name: role,
        properties: ownProperties([...here, "properties"], entry.properties, context.warnings),
      });
    }
    for (const principalRole of entry.assign_to ?? []) {
      if (role === BUILT_IN.catalogRole && principalRole === BUILT_IN.principalRole) continue;
      assignments.push({ catalogRole: role, principalRole });
    }
    const privileges = entry.privileges ?? {};
    const system = SYSTEM_GRANTS[role] ?? [];
    for (const privilege of privileges.catalog ?? []) {
      if (!system.includes(`catalog:${privilege}`))
        grants.push({ catalogRole: role, grant: { type: "catalog", privilege } });
    }
    for (const { namespace, privileges: list } of privileges.namespace ?? []) {
      for (const privilege of list)
        grants.push({ catalogRole: role, grant: { type: "namespace", namespace, privilege } });
    }
    for (const level of ["table", "view"] as const) {
      if (privileges[level] !== undefined) {
        context.warnings.push(
          `${keyPath([...here, "privileges", level])}: setup apply ignores ${level} privileges, and so does PolarisSetup; ` +
            `declare them with management.CatalogGrant resources beside it (grants: "additive", the default)`,
        );
      }
    }
  }
  return { catalogRoles, assignments, grants };
}

function plannedPolicies(catalog: SetupCatalog, at: PropertyKey[], context: Context) {
  const policies: PlannedCatalog["policies"] = [];
  const attachments: PlannedCatalog["attachments"] = [];
  catalog.policies.forEach((policy, index) => {
    const here = [...at, "policies", index];
    const content = policyContent(policy, here, context);
    if (content !== undefined && policy.namespace && policy.type) {
      policies.push({
        name: policy.name,
        namespace: policy.namespace,
        type: policy.type,
        ...(policy.description !== undefined ? { description: policy.description } : {}),
        content,
      });
    }
    (policy.attach ?? []).forEach((target, position) => {
      if (target.parameters !== undefined) {
        context.problems.push(
          `${keyPath([...here, "attach", position, "parameters"])}: attachment parameters are not sent by this library's PolicyAttachment; remove them`,
        );
      }
      const path = target.path?.split(".") ?? [];
      attachments.push({
        policy: policy.name,
        target: target.type === "catalog" ? { type: "catalog" } : { type: target.type, path },
      });
    });
  });
  return { policies, attachments };
}

/** The content as given, or read from `file` relative to the YAML's folder (as setup apply does). */
function policyContent(policy: SetupPolicy, at: PropertyKey[], context: Context) {
  if (policy.content !== undefined) return policy.content;
  if (policy.file === undefined) return undefined;
  const path = isAbsolute(policy.file) ? policy.file : join(context.baseDir, policy.file);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (error) {
    const reason =
      error instanceof SyntaxError
        ? `is not JSON (${error.message})`
        : `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    context.problems.push(`${keyPath([...at, "file"])}: ${path} ${reason}`);
    return undefined;
  }
}
