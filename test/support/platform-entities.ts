import { REFERENCE_PLATFORM } from "../../src/platform/reference";
import { call, type PolarisSession } from "./polaris";

// What a realm holds, read over REST straight at Polaris, as a sorted snapshot of plain strings that
// compares with toEqual: a test checks "exactly the declared entities, none twice" against
// referencePlatformEntities(), and "no orphans" against an empty snapshot. Lists are kept as lists, not
// sets, so an entity that Polaris lists twice shows up twice.

/** Every list sorted; the realm's built-in entities (BUILT_IN) left out. */
export interface PlatformEntities {
  catalogs: string[];
  principals: string[];
  principalRoles: string[];
  /** `catalog:dotted.path`, every level of every catalog. */
  namespaces: string[];
  /** `catalog/role`. */
  catalogRoles: string[];
  /** `catalog/role: <securable> PRIVILEGE`, e.g. `demo_catalog/demo_reader: namespace demo.gold TABLE_LIST`. */
  grants: string[];
  /** `principalRole -> catalog/role`: the catalog roles assigned to each principal role. */
  catalogRoleAssignments: string[];
  /** `principal -> principalRole`: the principal roles assigned to each principal. */
  principalRoleAssignments: string[];
}

/**
 * Created by Polaris itself (at bootstrap, or with every catalog), never by a stack: the root principal,
 * the service_admin principal role and each catalog's catalog_admin role, with their grants and assignments.
 * An assignment of a declared catalog role to service_admin is not built in and is kept.
 */
export const BUILT_IN = {
  principals: ["root"],
  principalRoles: ["service_admin"],
  catalogRoles: ["catalog_admin"],
} as const;

export const NO_ENTITIES: PlatformEntities = {
  catalogs: [],
  principals: [],
  principalRoles: [],
  namespaces: [],
  catalogRoles: [],
  grants: [],
  catalogRoleAssignments: [],
  principalRoleAssignments: [],
};

export interface PlatformEntitiesOptions {
  /** Only entities whose names this accepts (catalogs, principals, principal roles); default all. */
  owned?: (name: string) => boolean;
}

/** The snapshot of what the realm behind `session` (a root session, straight at Polaris) holds now. */
export async function platformEntities(
  session: PolarisSession,
  options: PlatformEntitiesOptions = {},
): Promise<PlatformEntities> {
  const owned = options.owned ?? (() => true);
  const builtInPrincipals: readonly string[] = BUILT_IN.principals;
  const builtInPrincipalRoles: readonly string[] = BUILT_IN.principalRoles;
  const builtInCatalogRoles: readonly string[] = BUILT_IN.catalogRoles;

  const catalogs = (await get<{ catalogs: { name: string }[] }>(session, "/catalogs")).catalogs
    .map((c) => c.name)
    .filter(owned);
  const principals = (await get<{ principals: { name: string }[] }>(session, "/principals")).principals
    .map((p) => p.name)
    .filter((name) => !builtInPrincipals.includes(name) && owned(name));
  const allPrincipalRoles = (await get<{ roles: { name: string }[] }>(session, "/principal-roles")).roles.map(
    (r) => r.name,
  );
  const principalRoles = allPrincipalRoles.filter(
    (name) => !builtInPrincipalRoles.includes(name) && owned(name),
  );

  const namespaces: string[] = [];
  const catalogRoles: string[] = [];
  const grants: string[] = [];
  const catalogRoleAssignments: string[] = [];
  for (const catalog of catalogs) {
    for (const path of await allNamespaces(session, catalog)) namespaces.push(`${catalog}:${path}`);
    const roles = (
      await get<{ roles: { name: string }[] }>(session, `/catalogs/${seg(catalog)}/catalog-roles`)
    ).roles
      .map((r) => r.name)
      .filter((name) => !builtInCatalogRoles.includes(name));
    for (const role of roles) {
      catalogRoles.push(`${catalog}/${role}`);
      const granted = await get<{ grants: Grant[] }>(
        session,
        `/catalogs/${seg(catalog)}/catalog-roles/${seg(role)}/grants`,
      );
      for (const grant of granted.grants) grants.push(`${catalog}/${role}: ${describeGrant(grant)}`);
    }
    // Declared catalog roles may be assigned to service_admin, so every principal role is asked.
    for (const principalRole of allPrincipalRoles.filter(
      (name) => builtInPrincipalRoles.includes(name) || owned(name),
    )) {
      const assigned = await get<{ roles: { name: string }[] }>(
        session,
        `/principal-roles/${seg(principalRole)}/catalog-roles/${seg(catalog)}`,
      );
      for (const role of assigned.roles) {
        if (!builtInCatalogRoles.includes(role.name)) {
          catalogRoleAssignments.push(`${principalRole} -> ${catalog}/${role.name}`);
        }
      }
    }
  }

  const principalRoleAssignments: string[] = [];
  for (const principal of principals) {
    const assigned = await get<{ roles: { name: string }[] }>(
      session,
      `/principals/${seg(principal)}/principal-roles`,
    );
    for (const role of assigned.roles) principalRoleAssignments.push(`${principal} -> ${role.name}`);
  }

  return sortAll({
    catalogs,
    principals,
    principalRoles,
    namespaces,
    catalogRoles,
    grants,
    catalogRoleAssignments,
    principalRoleAssignments,
  });
}

/**
 * What the reference platform (src/platform/reference.ts) declares, in the snapshot's form, derived from
 * REFERENCE_PLATFORM and nothing else: the stack's config may add namespaces and grants (`extra`).
 */
export function referencePlatformEntities(
  extra: { namespaces?: string[]; grants?: { principalRole: string; grant: Grant }[] } = {},
): PlatformEntities {
  const reference = REFERENCE_PLATFORM;
  const catalog = reference.catalog;
  const personas = reference.personas;
  const grants = [
    ...reference.adminRole.privileges.map(
      (privilege) =>
        `${catalog}/${reference.adminRole.name}: ${describeGrant({ type: "catalog", privilege })}`,
    ),
    ...personas.flatMap((persona) =>
      [
        ...persona.grants,
        ...(extra.grants ?? []).filter((g) => g.principalRole === persona.principalRole).map((g) => g.grant),
      ].map((grant) => `${catalog}/${persona.catalogRole}: ${describeGrant(grant as Grant)}`),
    ),
  ];
  return sortAll({
    catalogs: [catalog],
    principals: personas.map((p) => p.principal),
    principalRoles: personas.map((p) => p.principalRole),
    namespaces: [...reference.namespaces, ...(extra.namespaces ?? [])].map((path) => `${catalog}:${path}`),
    catalogRoles: [reference.adminRole.name, ...personas.map((p) => p.catalogRole)].map(
      (role) => `${catalog}/${role}`,
    ),
    grants,
    catalogRoleAssignments: [
      `service_admin -> ${catalog}/${reference.adminRole.name}`,
      ...personas.map((p) => `${p.principalRole} -> ${catalog}/${p.catalogRole}`),
    ],
    principalRoleAssignments: personas.map((p) => `${p.principal} -> ${p.principalRole}`),
  });
}

/** The names in `actual` that occur more than once, per kind; empty when there is no duplicate. */
export function duplicates(actual: PlatformEntities): Partial<Record<keyof PlatformEntities, string[]>> {
  const found: Partial<Record<keyof PlatformEntities, string[]>> = {};
  for (const [kind, names] of Object.entries(actual) as [keyof PlatformEntities, string[]][]) {
    const twice = names.filter((name, index) => names.indexOf(name) !== index);
    if (twice.length > 0) found[kind] = [...new Set(twice)];
  }
  return found;
}

interface Grant {
  type: string;
  privilege: string;
  namespace?: readonly string[];
  tableName?: string;
  viewName?: string;
  policyName?: string;
}

function describeGrant(grant: Grant): string {
  const namespace = grant.namespace?.join(".");
  const securable =
    grant.type === "catalog"
      ? "catalog"
      : grant.type === "namespace"
        ? `namespace ${namespace}`
        : `${grant.type} ${namespace}.${grant.tableName ?? grant.viewName ?? grant.policyName ?? "?"}`;
  return `${securable} ${grant.privilege}`;
}

/** Every namespace of `catalog`, all levels, as dotted paths. */
async function allNamespaces(session: PolarisSession, catalog: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (parent: string[] | undefined) => {
    const query = parent ? `?parent=${encodeURIComponent(parent.join("\x1f"))}` : "";
    const page = await get<{ namespaces: string[][] }>(
      session,
      `/api/catalog/v1/${seg(catalog)}/namespaces${query}`,
    );
    for (const levels of page.namespaces) {
      found.push(levels.join("."));
      await visit(levels);
    }
  };
  await visit(undefined);
  return found;
}

async function get<T>(session: PolarisSession, path: string): Promise<T> {
  const reply = await call<T>(session, "GET", path);
  if (reply.status !== 200) {
    throw new Error(`GET ${path}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return reply.body;
}

function seg(name: string): string {
  return encodeURIComponent(name);
}

function sortAll(snapshot: PlatformEntities): PlatformEntities {
  const sorted = { ...snapshot };
  for (const kind of Object.keys(sorted) as (keyof PlatformEntities)[])
    sorted[kind] = [...sorted[kind]].sort();
  return sorted;
}
