/**
 * A stack's Polaris entities as the YAML that `polaris setup apply` reads, plus a warning for each thing
 * the format cannot carry: table, view and policy grants (apply grants catalog and namespace privileges
 * only), attachments to tables and views (apply cannot create the tables they need), secrets (never
 * written), and the difference between an authoritative grant set and apply, which only adds.
 * No Pulumi import.
 */
import { BUILT_IN } from "../../entities/shared/names";
import type { SetupPrincipalRole } from "../document";
import { ENCRYPTED, type StackEntities } from "./state";

type Fields = Record<string, unknown>;
type Properties = Record<string, string>;

/**
 * A setup YAML as exported: a plain object with the keys `polaris setup apply` reads, ready for a YAML
 * writer, in the shortest form apply accepts (a bare name for an entity with nothing more) and sorted by
 * name, so that the same stack always gives the same file. It holds no secret.
 */
export interface SetupExportDocument {
  /** Principal roles: a bare name, or a mapping with name and properties when it has properties. */
  principal_roles: (string | SetupPrincipalRole)[];
  /** Principals by name, with their `properties` and `roles` when they have any; never credentials. */
  principals: Record<string, Record<string, unknown>>;
  /** Catalogs with their storage keys, connection, namespaces, roles and policies. */
  catalogs: Record<string, unknown>[];
}

/** What toSetupYaml gives: the document, and what it could not carry. */
export interface SetupExport {
  /** The setup YAML document. */
  document: SetupExportDocument;
  /** One line per thing left out or changed in meaning. */
  warnings: string[];
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
const dotted = (levels: string[]) => levels.join(".");
const nonEmpty = (properties: Properties) => (Object.keys(properties).length > 0 ? { properties } : {});

/** S3, Azure and GCS fields of the library's storage, with the keys setup apply reads for them. */
const STORAGE_KEYS: Record<string, string> = {
  storageName: "storage_name",
  roleArn: "role_arn",
  externalId: "external_id",
  region: "region",
  endpoint: "endpoint",
  endpointInternal: "endpoint_internal",
  stsEndpoint: "sts_endpoint",
  stsUnavailable: "sts_unavailable",
  kmsUnavailable: "kms_unavailable",
  pathStyleAccess: "path_style_access",
  currentKmsKey: "current_kms_key",
  allowedKmsKeys: "allowed_kms_keys",
  tenantId: "tenant_id",
  hierarchical: "hierarchical",
};

const CONNECTION_TYPES: Record<string, string> = {
  ICEBERG_REST: "iceberg-rest",
  HADOOP: "hadoop",
  HIVE: "hive",
};

export function toSetupYaml(entities: StackEntities): SetupExport {
  const warnings: string[] = [];
  const warn = (line: string) => {
    if (!warnings.includes(line)) warnings.push(line);
  };
  const catalogNames = new Set(entities.catalogs.map((catalog) => catalog.name));
  const outsideCatalog = (catalog: string, what: string) => {
    if (catalogNames.has(catalog)) return false;
    warn(
      `${what} is in catalog ${catalog}, which this stack does not declare: left out (setup apply would need the catalog's storage to create it)`,
    );
    return true;
  };

  // --- principal roles and principals
  const declaredRoles = new Set(entities.principalRoles.map((role) => role.name));
  const referencedRoles = [
    ...entities.principalRoleAssignments.map((assignment) => assignment.principalRole),
    ...entities.catalogRoleAssignments.map((assignment) => assignment.principalRole),
  ].filter((role) => role !== BUILT_IN.principalRole && !declaredRoles.has(role));
  for (const role of new Set(referencedRoles)) {
    warn(
      `principal role ${role} is assigned here but declared elsewhere: it is listed so that the assignments apply, and setup apply creates it where it does not exist`,
    );
  }
  const principalRoles = [
    ...entities.principalRoles,
    ...[...new Set(referencedRoles)].map((name) => ({ name, properties: {} as Properties })),
  ]
    .sort(byName)
    .map((role) =>
      Object.keys(role.properties).length > 0 ? { name: role.name, properties: role.properties } : role.name,
    );

  const principals: Record<string, Fields> = {};
  for (const principal of [...entities.principals].sort(byName)) {
    principals[principal.name] = { ...nonEmpty(principal.properties) };
    if (principal.chosenCredentials) {
      warn(
        `principal ${principal.name} has chosen credentials in this stack; setup apply always issues new ones`,
      );
    }
  }
  if (entities.principals.length > 0) {
    warn(
      "principals: credentials are never written; setup apply creates each principal with new credentials (and prints them)",
    );
  }
  for (const { principal, principalRole } of entities.principalRoleAssignments) {
    if (!principals[principal]) {
      warn(
        `principal ${principal} is given roles here but declared elsewhere: it is listed for its roles, and setup apply creates it where it does not exist`,
      );
      principals[principal] = {};
    }
    const roles = ((principals[principal]!.roles as string[] | undefined) ?? []).concat(principalRole).sort();
    principals[principal]!.roles = roles;
  }

  // --- catalogs
  if (entities.grants.some((grant) => grant.authoritative)) {
    warn(
      "authoritative grant sets are written as privileges; setup apply only adds grants and never revokes one that is not listed",
    );
  }
  const catalogs = [...entities.catalogs].sort(byName).map((catalog) => {
    const entry: Fields = {
      name: catalog.name,
      type: catalog.type.toLowerCase(),
      storage_type: String(catalog.storage.storageType).toLowerCase(),
      default_base_location: catalog.defaultBaseLocation,
      allowed_locations: catalog.storage.allowedLocations,
      ...nonEmpty(catalog.properties),
    };
    for (const [field, key] of Object.entries(STORAGE_KEYS)) {
      if (catalog.storage[field] !== undefined) entry[key] = catalog.storage[field];
    }
    if (catalog.connectionConfig !== undefined) {
      entry.connection = connectionEntry(catalog.name, catalog.connectionConfig, warn);
    }
    return { catalog, entry };
  });

  for (const { catalog, entry } of catalogs) {
    const name = catalog.name;
    const namespaces = entities.namespaces
      .filter((namespace) => namespace.catalog === name)
      .sort((a, b) => dotted(a.levels).localeCompare(dotted(b.levels)))
      .map(({ levels, properties }) => {
        const { location, ...rest } = properties;
        return location === undefined && Object.keys(rest).length === 0
          ? dotted(levels)
          : { name: dotted(levels), ...(location !== undefined ? { location } : {}), ...nonEmpty(rest) };
      });
    if (namespaces.length > 0) entry.namespaces = namespaces;

    const roles = catalogRoles(name, entities, warn);
    if (Object.keys(roles).length > 0) entry.roles = roles;

    const policies = catalogPolicies(name, entities, warn);
    if (policies.length > 0) entry.policies = policies;
  }
  for (const namespace of entities.namespaces)
    outsideCatalog(namespace.catalog, `namespace ${dotted(namespace.levels)}`);
  for (const role of entities.catalogRoles) outsideCatalog(role.catalog, `catalog role ${role.name}`);
  for (const grant of entities.grants)
    outsideCatalog(grant.catalog, `a grant of catalog role ${grant.catalogRole}`);
  for (const assignment of entities.catalogRoleAssignments) {
    outsideCatalog(assignment.catalog, `the assignment of catalog role ${assignment.catalogRole}`);
  }
  for (const policy of entities.policies) outsideCatalog(policy.catalog, `policy ${policy.name}`);

  return {
    document: { principal_roles: principalRoles, principals, catalogs: catalogs.map(({ entry }) => entry) },
    warnings,
  };
}

function connectionEntry(
  catalog: string,
  connection: Fields | typeof ENCRYPTED,
  warn: (line: string) => void,
): Fields {
  if (connection === ENCRYPTED) {
    warn(
      `catalog ${catalog}: its connection is encrypted in this state export; export with --show-secrets (the default of setup-export) to write it`,
    );
    return {};
  }
  const entry: Fields = {
    type:
      CONNECTION_TYPES[String(connection.connectionType)] ?? String(connection.connectionType).toLowerCase(),
  };
  if (connection.uri !== undefined) entry.uri = connection.uri;
  if (connection.remoteCatalogName !== undefined) entry.remote_catalog_name = connection.remoteCatalogName;
  if (connection.warehouse !== undefined) entry.warehouse = connection.warehouse;
  const auth = (connection.authenticationParameters ?? {}) as Fields;
  const type = String(auth.authenticationType ?? "").toLowerCase();
  const authentication: Fields = { type };
  const copy = (from: string, to: string) => {
    if (auth[from] !== undefined) authentication[to] = auth[from];
  };
  switch (type) {
    case "oauth":
      copy("tokenUri", "token_uri");
      copy("clientId", "client_id");
      copy("scopes", "scopes");
      warn(
        `catalog ${catalog}: connection.authentication.client_secret is a secret and is not written; add it before setup apply`,
      );
      for (const [field, key] of [
        ["tokenUri", "token_uri"],
        ["scopes", "scopes"],
      ] as const) {
        if (auth[field] === undefined)
          warn(
            `catalog ${catalog}: setup apply requires connection.authentication.${key} for oauth, and this stack leaves it to Polaris' default; add it before setup apply`,
          );
      }
      break;
    case "bearer":
      warn(
        `catalog ${catalog}: connection.authentication.token is a secret and is not written; add it before setup apply`,
      );
      break;
    case "sigv4":
      copy("roleArn", "role_arn");
      copy("roleSessionName", "role_session_name");
      copy("externalId", "external_id");
      copy("signingRegion", "signing_region");
      copy("signingName", "signing_name");
      break;
  }
  entry.authentication = authentication;
  return entry;
}

function catalogRoles(
  catalog: string,
  entities: StackEntities,
  warn: (line: string) => void,
): Record<string, Fields> {
  const roles: Record<string, Fields> = {};
  const role = (name: string) => {
    roles[name] ??= {};
    return roles[name]!;
  };
  for (const declared of entities.catalogRoles.filter((entry) => entry.catalog === catalog).sort(byName)) {
    Object.assign(role(declared.name), nonEmpty(declared.properties));
  }
  for (const assignment of entities.catalogRoleAssignments.filter((entry) => entry.catalog === catalog)) {
    const entry = role(assignment.catalogRole);
    entry.assign_to = [...((entry.assign_to as string[] | undefined) ?? []), assignment.principalRole].sort();
  }
  for (const { catalogRole, grant } of entities.grants.filter((entry) => entry.catalog === catalog)) {
    if (grant.type !== "catalog" && grant.type !== "namespace") {
      const object = `${dotted(grant.namespace ?? [])}.${grant.table ?? grant.view ?? grant.policy}`;
      warn(
        `catalog ${catalog}: the ${grant.type} grant ${grant.privilege} on ${object} to ${catalogRole} is left out: setup apply grants catalog and namespace privileges only`,
      );
      continue;
    }
    const privileges = ((role(catalogRole).privileges as Fields | undefined) ?? {}) as {
      catalog?: string[];
      namespace?: { namespace: string[]; privileges: string[] }[];
    };
    if (grant.type === "catalog") {
      privileges.catalog = [...(privileges.catalog ?? []), grant.privilege].sort();
    } else {
      const list = privileges.namespace ?? [];
      const levels = grant.namespace ?? [];
      const existing = list.find((entry) => dotted(entry.namespace) === dotted(levels));
      if (existing) existing.privileges = [...existing.privileges, grant.privilege].sort();
      else list.push({ namespace: levels, privileges: [grant.privilege] });
      privileges.namespace = list.sort((a, b) => dotted(a.namespace).localeCompare(dotted(b.namespace)));
    }
    role(catalogRole).privileges = privileges;
  }
  return Object.fromEntries(Object.entries(roles).sort(([a], [b]) => a.localeCompare(b)));
}

function catalogPolicies(catalog: string, entities: StackEntities, warn: (line: string) => void): Fields[] {
  const declared = entities.policies.filter((policy) => policy.catalog === catalog);
  const policies = declared
    .sort((a, b) => `${dotted(a.namespace)}/${a.name}`.localeCompare(`${dotted(b.namespace)}/${b.name}`))
    .map((policy) => ({
      name: policy.name,
      namespace: policy.namespace,
      type: policy.type,
      ...(policy.description !== undefined ? { description: policy.description } : {}),
      content: policy.content,
    })) as Fields[];
  for (const attachment of entities.attachments.filter((entry) => entry.catalog === catalog)) {
    const named = `policy ${dotted(attachment.policyNamespace)}.${attachment.policyName}`;
    const policy = policies.find(
      (entry) =>
        entry.name === attachment.policyName &&
        dotted(entry.namespace as string[]) === dotted(attachment.policyNamespace),
    );
    if (!policy) {
      warn(
        `catalog ${catalog}: the attachment of ${named} is left out: the policy is declared elsewhere, and setup apply attaches only the policies its YAML lists`,
      );
      continue;
    }
    const { type, path = [] } = attachment.target;
    if (type === "table-like") {
      warn(
        `catalog ${catalog}: the attachment of ${named} to table ${dotted(path)} is left out: setup apply cannot create the table it needs`,
      );
      continue;
    }
    const attach = ((policy.attach as Fields[] | undefined) ?? []).concat(
      type === "catalog" ? { type } : { type, path: dotted(path) },
    );
    // The catalog first, then namespaces by path: the same stack always writes the same file.
    policy.attach = attach.sort((a, b) =>
      `${a.type}:${a.path ?? ""}`.localeCompare(`${b.type}:${b.path ?? ""}`),
    );
  }
  return policies;
}
