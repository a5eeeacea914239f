/**
 * A workload as the configuration `polaris setup apply` reads (apache-polaris 1.8.0,
 * apache_polaris/cli/command/setup.py): `principal_roles` (names), `principals` (name -> roles),
 * `catalogs` (a list, each with its storage keys, `namespaces` and `roles` -> assign_to and privileges).
 * Written as JSON, which is valid YAML, so the file is exactly what the generator produced.
 */
import type { Workload } from "./workload";

export function setupConfig(workload: Workload): Record<string, unknown> {
  const { catalog } = workload;
  return {
    principal_roles: workload.principalRoles,
    principals: Object.fromEntries(
      workload.principals.map((principal) => [
        principal.name,
        { type: "service", roles: principal.principalRoles },
      ]),
    ),
    catalogs: [
      {
        name: catalog.name,
        type: "internal",
        storage_type: "s3",
        default_base_location: catalog.defaultBaseLocation,
        allowed_locations: catalog.storage.allowedLocations,
        role_arn: catalog.storage.roleArn,
        region: catalog.storage.region,
        endpoint: catalog.storage.endpoint,
        sts_endpoint: catalog.storage.stsEndpoint,
        path_style_access: catalog.storage.pathStyleAccess,
        namespaces: workload.namespaces.map((namespace) => ({
          name: namespace.levels,
          ...(namespace.properties ? { properties: namespace.properties } : {}),
        })),
        roles: Object.fromEntries(
          workload.catalogRoles.map((role) => [
            role.name,
            { assign_to: role.assignedTo, privileges: privilegesOf(role.grants) },
          ]),
        ),
      },
    ],
  };
}

function privilegesOf(grants: Workload["catalogRoles"][number]["grants"]) {
  const catalog = grants.filter((grant) => grant.type === "catalog").map((grant) => grant.privilege);
  const byNamespace = new Map<string, { namespace: string[]; privileges: string[] }>();
  for (const grant of grants) {
    if (grant.type !== "namespace") continue;
    const key = grant.namespace!.join("\u001f");
    const entry = byNamespace.get(key) ?? { namespace: grant.namespace!, privileges: [] };
    entry.privileges.push(grant.privilege);
    byNamespace.set(key, entry);
  }
  return {
    ...(catalog.length > 0 ? { catalog } : {}),
    ...(byNamespace.size > 0 ? { namespace: [...byNamespace.values()] } : {}),
  };
}

export function setupYaml(workload: Workload): string {
  return `${JSON.stringify(setupConfig(workload), null, 2)}\n`;
}
