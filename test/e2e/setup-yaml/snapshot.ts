import { call, type PolarisSession, session } from "../../support/polaris";

// Everything a Polaris instance holds that a setup YAML can describe, read over plain REST, in a form
// that two servers can be compared in: names sorted, timestamps and versions left out, and this library's
// ownership marker left out of properties (it is the one thing a managed entity has that an entity made
// by `polaris setup apply` has not).

type Fields = Record<string, unknown>;
const OWNER_KEY = "polaris-pulumi.owner";
const SEPARATOR = "%1F";

function withoutMarker(properties: unknown): Record<string, string> {
  const { [OWNER_KEY]: _marker, ...rest } = (properties ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

async function get<T>(polaris: PolarisSession, path: string): Promise<T> {
  const reply = await call<T>(polaris, "GET", path);
  if (reply.status !== 200)
    throw new Error(`GET ${path}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

async function namespacesOf(
  polaris: PolarisSession,
  catalog: string,
  parent: string[] = [],
): Promise<string[][]> {
  const query = parent.length > 0 ? `?parent=${parent.map(encodeURIComponent).join(SEPARATOR)}` : "";
  const { namespaces } = await get<{ namespaces: string[][] }>(
    polaris,
    `/api/catalog/v1/${catalog}/namespaces${query}`,
  );
  const below = await Promise.all(namespaces.map((levels) => namespacesOf(polaris, catalog, levels)));
  return [...namespaces, ...below.flat()];
}

const namespacePath = (levels: string[]) => levels.map(encodeURIComponent).join(SEPARATOR);

async function catalogSnapshot(polaris: PolarisSession, name: string) {
  const catalog = await get<Fields>(polaris, `/catalogs/${name}`);
  const storage = { ...(catalog.storageConfigInfo as Fields) };
  if (Array.isArray(storage.allowedLocations))
    storage.allowedLocations = [...storage.allowedLocations].sort();
  // An S3 flag left out is false to Polaris; the official CLI always sends all three, this library only
  // what is declared, so a flag is compared by its meaning.
  if (storage.storageType === "S3") {
    for (const flag of ["stsUnavailable", "kmsUnavailable", "pathStyleAccess"]) storage[flag] ??= false;
  }
  const { roles } = await get<{ roles: { name: string; properties?: Fields }[] }>(
    polaris,
    `/catalogs/${name}/catalog-roles`,
  );
  const catalogRoles = await Promise.all(
    [...roles].sort(byName).map(async (role) => {
      const { grants } = await get<{ grants: Fields[] }>(
        polaris,
        `/catalogs/${name}/catalog-roles/${role.name}/grants`,
      );
      const assignees = await get<{ roles: { name: string }[] }>(
        polaris,
        `/catalogs/${name}/catalog-roles/${role.name}/principal-roles`,
      );
      return {
        name: role.name,
        properties: withoutMarker(role.properties),
        grants: grants.map((grant) => JSON.stringify(grant)).sort(),
        assignedTo: assignees.roles.map((assignee) => assignee.name).sort(),
      };
    }),
  );
  // The namespaces of a federated catalog live in the remote catalog, not in this server.
  const federated = catalog.connectionConfigInfo !== undefined;
  const levels = federated ? [] : await namespacesOf(polaris, name);
  const namespaces = await Promise.all(
    levels.map(async (path) => {
      const namespace = await get<{ properties?: Fields }>(
        polaris,
        `/api/catalog/v1/${name}/namespaces/${namespacePath(path)}`,
      );
      const { identifiers } = await get<{ identifiers: { name: string }[] }>(
        polaris,
        `/api/catalog/polaris/v1/${name}/namespaces/${namespacePath(path)}/policies`,
      );
      const policies = await Promise.all(
        identifiers.map(async ({ name: policy }) => {
          const loaded = await get<{ policy: Fields }>(
            polaris,
            `/api/catalog/polaris/v1/${name}/namespaces/${namespacePath(path)}/policies/${policy}`,
          );
          return {
            name: policy,
            type: loaded.policy["policy-type"],
            description: loaded.policy.description ?? null,
            content: JSON.parse(String(loaded.policy.content)),
          };
        }),
      );
      const applicable = await get<{ "applicable-policies": Fields[] }>(
        polaris,
        `/api/catalog/polaris/v1/${name}/applicable-policies?namespace=${namespacePath(path)}`,
      );
      return {
        path: path.join("."),
        properties: withoutMarker(namespace.properties),
        policies: policies.sort(byName),
        attached: attachedHere(applicable["applicable-policies"]),
      };
    }),
  );
  const onCatalog = federated
    ? []
    : attachedHere(
        (
          await get<{ "applicable-policies": Fields[] }>(
            polaris,
            `/api/catalog/polaris/v1/${name}/applicable-policies`,
          )
        )["applicable-policies"],
      );
  return {
    name,
    type: catalog.type,
    properties: withoutMarker(catalog.properties),
    storage,
    connection: catalog.connectionConfigInfo ?? null,
    catalogRoles,
    namespaces: namespaces.sort((a, b) => a.path.localeCompare(b.path)),
    attachedToCatalog: onCatalog,
  };
}

/** Policies attached to the target itself, not inherited from above: `<policy namespace>.<name>`. */
function attachedHere(policies: Fields[]): string[] {
  return policies
    .filter((policy) => policy.inherited === false)
    .map((policy) => `${(policy.namespace as string[]).join(".")}.${policy.name}`)
    .sort();
}

export type PolarisSnapshot = Awaited<ReturnType<typeof polarisSnapshot>>;

export async function polarisSnapshot(instance: string) {
  const polaris = await session(undefined, undefined, instance);
  const principalRoles = await get<{ roles: { name: string; properties?: Fields }[] }>(
    polaris,
    "/principal-roles",
  );
  const principals = await get<{ principals: { name: string; properties?: Fields }[] }>(
    polaris,
    "/principals",
  );
  const { catalogs } = await get<{ catalogs: { name: string }[] }>(polaris, "/catalogs");
  return {
    principalRoles: principalRoles.roles
      .map((role) => ({ name: role.name, properties: withoutMarker(role.properties) }))
      .sort(byName),
    principals: await Promise.all(
      [...principals.principals].sort(byName).map(async (principal) => ({
        name: principal.name,
        properties: withoutMarker(principal.properties),
        roles: (
          await get<{ roles: { name: string }[] }>(polaris, `/principals/${principal.name}/principal-roles`)
        ).roles
          .map((role) => role.name)
          .sort(),
      })),
    ),
    catalogs: await Promise.all(
      [...catalogs].sort(byName).map((catalog) => catalogSnapshot(polaris, catalog.name)),
    ),
  };
}
