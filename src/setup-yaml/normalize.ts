/**
 * A canonical form of a setup YAML, to compare two of them, such as the YAML a server was set up from and
 * what `polaris setup export` writes for that server. Two YAMLs that make the same entities normalize
 * to the same value:
 * - every form apply accepts becomes one (namespaces as levels, privileges and policies as sorted lists),
 *   and the parents of nested namespaces are listed, since apply creates them;
 * - what Polaris makes or fills in itself is left out: root, service_admin, catalog_admin's assignment to
 *   service_admin and its two grants, user_arn and the other server-filled storage keys, a namespace's
 *   `location` where it is the default one, the default base location among the allowed locations,
 *   storage flags left at false, and this library's ownership marker property;
 * - secrets are left out (Polaris never returns them), and so are table and view privileges (apply
 *   ignores them);
 * - policy content is compared as JSON; attachments are kept only when asked, because
 *   `polaris setup export` does not write them.
 * No Pulumi import.
 */

import type { SetupDocument } from "./document";
import type { PlannedCatalog, PlannedStorage, SetupPlan } from "./plan";
import { planSetup } from "./plan";

export interface NormalizeOptions {
  /** Where policy `file:` paths are read from. */
  baseDir: string;
  /** Keep policy attachments. @default false */
  attachments?: boolean;
}

type Properties = Record<string, string>;

const slash = (location: string) => (location.endsWith("/") ? location : `${location}/`);
const sortedKeys = (properties: Properties) =>
  Object.fromEntries(Object.entries(properties).sort(([a], [b]) => a.localeCompare(b)));
const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, inner]) => [key, canonicalJson(inner)]),
  );
}

function canonicalStorage(storage: PlannedStorage, defaultBaseLocation: string) {
  const view: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(storage).sort(([a], [b]) => a.localeCompare(b))) {
    if (value === false || (Array.isArray(value) && value.length === 0)) continue;
    view[key] = value;
  }
  view.allowedLocations = [...new Set([...storage.allowedLocations, defaultBaseLocation].map(slash))].sort();
  return view;
}

function canonicalConnection(connection: PlannedCatalog["connectionConfig"]) {
  if (connection === undefined) return undefined;
  const {
    clientSecret: _secret,
    bearerToken: _token,
    ...auth
  } = (connection.authenticationParameters ?? {}) as Record<string, unknown>;
  return canonicalJson({ ...connection, authenticationParameters: auth });
}

/** Namespaces with `location` kept only where it differs from where Polaris would put the namespace. */
function canonicalNamespaces(catalog: PlannedCatalog) {
  const effective = new Map<string, string>();
  return [...catalog.namespaces]
    .sort((a, b) => a.levels.length - b.levels.length || a.levels.join(".").localeCompare(b.levels.join(".")))
    .map(({ levels, properties }) => {
      const above =
        levels.length > 1 ? effective.get(levels.slice(0, -1).join(".")) : slash(catalog.defaultBaseLocation);
      const standard = `${above ?? slash(catalog.defaultBaseLocation)}${levels[levels.length - 1]}/`;
      const { location, ...rest } = properties;
      effective.set(levels.join("."), location ? slash(location) : standard);
      const custom = location !== undefined && slash(location) !== standard;
      return { levels, properties: sortedKeys(custom ? { ...rest, location: slash(location) } : rest) };
    })
    .sort(byKey((namespace) => namespace.levels.join(".")));
}

function canonicalRoles(catalog: PlannedCatalog) {
  const roles = new Map<
    string,
    { properties: Properties; assignTo: string[]; catalog: string[]; namespace: Map<string, string[]> }
  >();
  const role = (name: string) => {
    if (!roles.has(name))
      roles.set(name, { properties: {}, assignTo: [], catalog: [], namespace: new Map() });
    return roles.get(name)!;
  };
  for (const declared of catalog.catalogRoles) role(declared.name).properties = declared.properties;
  for (const { catalogRole, principalRole } of catalog.assignments)
    role(catalogRole).assignTo.push(principalRole);
  for (const { catalogRole, grant } of catalog.grants) {
    const entry = role(catalogRole);
    if (grant.type === "catalog") entry.catalog.push(grant.privilege);
    else {
      const path = (grant.namespace ?? []).join(".");
      entry.namespace.set(path, [...(entry.namespace.get(path) ?? []), grant.privilege]);
    }
  }
  return [...roles.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, entry]) => ({
      name,
      properties: sortedKeys(entry.properties),
      assignTo: [...new Set(entry.assignTo)].sort(),
      privileges: {
        catalog: [...new Set(entry.catalog)].sort(),
        namespace: [...entry.namespace.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([namespace, privileges]) => ({
            namespace: namespace.split("."),
            privileges: [...new Set(privileges)].sort(),
          })),
      },
    }));
}

function canonicalCatalog(catalog: PlannedCatalog, options: NormalizeOptions) {
  const policies = [...catalog.policies]
    .map((policy) => ({
      name: policy.name,
      namespace: policy.namespace,
      type: policy.type,
      description: policy.description ?? null,
      content: canonicalJson(
        typeof policy.content === "string" ? JSON.parse(policy.content) : policy.content,
      ),
    }))
    .sort(byKey((policy) => `${policy.namespace.join(".")}/${policy.name}`));
  return {
    name: catalog.name,
    type: catalog.type,
    defaultBaseLocation: slash(catalog.defaultBaseLocation),
    properties: sortedKeys(catalog.properties),
    storage: canonicalStorage(catalog.storage, catalog.defaultBaseLocation),
    connection: canonicalConnection(catalog.connectionConfig) ?? null,
    namespaces: canonicalNamespaces(catalog),
    roles: canonicalRoles(catalog),
    policies,
    ...(options.attachments
      ? {
          attachments: catalog.attachments
            .map(
              ({ policy, target }) =>
                `${policy} -> ${target.type}${"path" in target ? `:${target.path.join(".")}` : ""}`,
            )
            .sort(),
        }
      : {}),
  };
}

export function normalizePlan(plan: SetupPlan, options: NormalizeOptions) {
  const roles = new Map<string, string[]>();
  for (const { principal, principalRole } of plan.principalRoleAssignments) {
    roles.set(principal, [...(roles.get(principal) ?? []), principalRole]);
  }
  const principals = new Map(plan.principals.map((principal) => [principal.name, principal.properties]));
  for (const name of roles.keys()) if (!principals.has(name)) principals.set(name, {});
  return {
    principalRoles: plan.principalRoles
      .map((role) => ({ name: role.name, properties: sortedKeys(role.properties) }))
      .sort(byKey((role) => role.name)),
    principals: [...principals.entries()]
      .map(([name, properties]) => ({
        name,
        properties: sortedKeys(properties),
        roles: [...new Set(roles.get(name) ?? [])].sort(),
      }))
      .sort(byKey((principal) => principal.name)),
    catalogs: plan.catalogs
      .map((catalog) => canonicalCatalog(catalog, options))
      .sort(byKey((catalog) => catalog.name)),
  };
}

export type NormalizedSetup = ReturnType<typeof normalizePlan>;

export function normalizeSetupYaml(document: SetupDocument, options: NormalizeOptions): NormalizedSetup {
  return normalizePlan(planSetup(document, { baseDir: options.baseDir }), options);
}
