/**
 * What the peers build, as plain data: one description per workload, rendered as REST calls (rest-floor),
 * as `polaris setup apply` YAML (setup-yaml) and as a Pulumi program (scale-program, or the repository's
 * own program for the reference platform). Storage differs per sandbox start (moto's port), so a workload
 * is generated for one running sandbox.
 */
import { REFERENCE_PLATFORM } from "../../src/platform/reference";

export interface WorkloadGrant {
  type: "catalog" | "namespace";
  privilege: string;
  namespace?: string[];
}

export interface WorkloadCatalogRole {
  name: string;
  /** Principal roles the catalog role is assigned to (service_admin included). */
  assignedTo: string[];
  grants: WorkloadGrant[];
}

export interface WorkloadStorage {
  storageType: "S3";
  allowedLocations: string[];
  roleArn: string;
  region: string;
  endpoint: string;
  stsEndpoint: string;
  pathStyleAccess: boolean;
}

export interface Workload {
  name: WorkloadName;
  catalog: { name: string; defaultBaseLocation: string; storage: WorkloadStorage };
  /** Parents before children. */
  namespaces: { levels: string[]; properties?: Record<string, string> }[];
  catalogRoles: WorkloadCatalogRole[];
  principalRoles: string[];
  principals: { name: string; principalRoles: string[] }[];
}

export const WORKLOAD_NAMES = ["reference", "scale"] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

/** Where a sandbox keeps its warehouse: the bucket, the vending role and moto's endpoint. */
export interface Warehouse {
  bucket: string;
  roleArn: string;
  s3Endpoint: string;
  region: string;
}

function storageFor(warehouse: Warehouse, catalog: string) {
  const location = `s3://${warehouse.bucket}/${catalog}/`;
  return {
    name: catalog,
    defaultBaseLocation: location,
    storage: {
      storageType: "S3" as const,
      allowedLocations: [location],
      roleArn: warehouse.roleArn,
      region: warehouse.region,
      endpoint: warehouse.s3Endpoint,
      stsEndpoint: warehouse.s3Endpoint,
      pathStyleAccess: true,
    },
  };
}

/** The reference platform (src/platform/reference.ts), as stacks/index.ts builds it on the sandbox. */
export function referenceWorkload(warehouse: Warehouse): Workload {
  const reference = REFERENCE_PLATFORM;
  return {
    name: "reference",
    catalog: storageFor(warehouse, reference.catalog),
    namespaces: reference.namespaces.map((path) => {
      const properties = reference.namespaceProperties[path];
      return { levels: path.split("."), ...(properties ? { properties: { ...properties } } : {}) };
    }),
    catalogRoles: [
      {
        name: reference.adminRole.name,
        assignedTo: ["service_admin"],
        grants: reference.adminRole.privileges.map((privilege) => ({ type: "catalog", privilege })),
      },
      ...reference.personas.map((persona) => ({
        name: persona.catalogRole,
        assignedTo: [persona.principalRole],
        grants: persona.grants.map((grant) => ({
          type: "namespace" as const,
          privilege: grant.privilege,
          namespace: [...(grant.namespace ?? [])],
        })),
      })),
    ],
    principalRoles: reference.personas.map((persona) => persona.principalRole),
    principals: reference.personas.map((persona) => ({
      name: persona.principal,
      principalRoles: [persona.principalRole],
    })),
  };
}

export const SCALE = {
  groups: 50,
  /** Namespaces per group: the top-level one and its children. */
  perGroup: 10,
  roles: 20,
  privileges: ["NAMESPACE_LIST", "NAMESPACE_READ_PROPERTIES", "TABLE_LIST", "TABLE_READ_DATA"],
} as const;

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * The scale stack: 1 catalog; 500 namespaces in 50 groups of 10 (a top-level namespace and 9 children);
 * 20 catalog roles, each with 100 namespace grants (4 privileges on its own 25 namespaces), 2,000 in all;
 * 20 principal roles, each assigned one catalog role; 20 principals, each holding one principal role.
 */
export function scaleWorkload(warehouse: Warehouse): Workload {
  const namespaces: Workload["namespaces"] = [];
  for (let group = 0; group < SCALE.groups; group++) {
    namespaces.push({ levels: [`g${pad(group)}`] });
  }
  for (let group = 0; group < SCALE.groups; group++) {
    for (let child = 1; child < SCALE.perGroup; child++) {
      namespaces.push({ levels: [`g${pad(group)}`, `n${child}`] });
    }
  }
  const perRole = namespaces.length / SCALE.roles;
  const catalogRoles = Array.from({ length: SCALE.roles }, (_, role) => ({
    name: `role_${pad(role)}`,
    assignedTo: [`team_${pad(role)}`],
    grants: namespaces.slice(role * perRole, (role + 1) * perRole).flatMap((namespace) =>
      SCALE.privileges.map((privilege) => ({
        type: "namespace" as const,
        privilege,
        namespace: namespace.levels,
      })),
    ),
  }));
  return {
    name: "scale",
    catalog: storageFor(warehouse, "scale_catalog"),
    namespaces,
    catalogRoles,
    principalRoles: catalogRoles.map((_, role) => `team_${pad(role)}`),
    principals: catalogRoles.map((_, role) => ({
      name: `user_${pad(role)}`,
      principalRoles: [`team_${pad(role)}`],
    })),
  };
}

export function workloadFor(name: WorkloadName, warehouse: Warehouse): Workload {
  return name === "reference" ? referenceWorkload(warehouse) : scaleWorkload(warehouse);
}

/** Writes (no token request) a peer must send at least to build the workload from empty. */
export function minimalWrites(workload: Workload): number {
  const grants = workload.catalogRoles.reduce((sum, role) => sum + role.grants.length, 0);
  const assignments =
    workload.catalogRoles.reduce((sum, role) => sum + role.assignedTo.length, 0) +
    workload.principals.reduce((sum, principal) => sum + principal.principalRoles.length, 0);
  return (
    1 +
    workload.namespaces.length +
    workload.catalogRoles.length +
    grants +
    workload.principalRoles.length +
    workload.principals.length +
    assignments
  );
}
