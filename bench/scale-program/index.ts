import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as management from "../../src/management";
import type { Workload } from "../lib/workload";

// The benchmark's generated stack: the workload file (bench/lib/workload.ts, written by the driver) as
// management resources, imported from the library's source like the repository's own program
// (stacks/index.ts), while the providers load the compiled package. `bench:grantShape` picks the grant
// shape: `sets`, one authoritative CatalogGrantSet per catalog role, or `grants`, one additive CatalogGrant
// per grant. The connection comes from stack config (polaris:uri, polaris:clientId, polaris:clientSecret).
//
// The resources are declared in slices, handing the event loop back to Pulumi between them: declared in
// one synchronous pass, the first of 600 resources would reach the engine only once the last is declared
// (seconds of CPU here), so Polaris would sit idle meanwhile.

const config = new pulumi.Config("bench");
const workload = JSON.parse(readFileSync(config.require("workload"), "utf8")) as Workload;
const shape = config.require("grantShape");
if (shape !== "sets" && shape !== "grants") {
  throw new pulumi.RunError(`bench:grantShape must be sets or grants, not ${shape}`);
}

/** Called after each declaration: every RESOURCES_PER_SLICE, lets Pulumi send what is declared so far. */
const RESOURCES_PER_SLICE = 25;
let declaredSoFar = 0;
async function breathe(): Promise<void> {
  declaredSoFar++;
  if (declaredSoFar % RESOURCES_PER_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
}

async function declareWorkload(): Promise<void> {
  const catalog = new management.Catalog(workload.catalog.name, {
    name: workload.catalog.name,
    defaultBaseLocation: workload.catalog.defaultBaseLocation,
    storage: workload.catalog.storage,
  });

  const namespaces = new Map<string, management.Namespace>();
  for (const declared of workload.namespaces) {
    const path = declared.levels.join(".");
    const parent = namespaces.get(declared.levels.slice(0, -1).join("."));
    namespaces.set(
      path,
      new management.Namespace(path, {
        catalog: catalog.name,
        name: declared.levels[declared.levels.length - 1]!,
        ...(parent ? { parent } : {}),
        ...(declared.properties ? { properties: declared.properties } : {}),
      }),
    );
    await breathe();
  }

  const principalRoles = new Map<string, management.PrincipalRole>();
  for (const name of workload.principalRoles) {
    principalRoles.set(name, new management.PrincipalRole(name, { name }));
  }
  const principalRoleName = (name: string) => principalRoles.get(name)?.name ?? name;

  for (const declared of workload.principals) {
    const principal = new management.Principal(declared.name, { name: declared.name });
    for (const role of declared.principalRoles) {
      new management.PrincipalRoleAssignment(`${declared.name}-${role}`, {
        principal: principal.name,
        principalRole: principalRoleName(role),
      });
    }
    await breathe();
  }

  /** The namespace's levels, resolved once it exists, so that a grant waits for its namespace. */
  function levelsOf(
    grant: Workload["catalogRoles"][number]["grants"][number],
  ): pulumi.Input<string[]> | undefined {
    if (!grant.namespace) return undefined;
    return namespaces.get(grant.namespace.join("."))?.levels ?? grant.namespace;
  }

  for (const declared of workload.catalogRoles) {
    const role = new management.CatalogRole(declared.name, { catalog: catalog.name, name: declared.name });
    for (const principalRole of declared.assignedTo) {
      new management.CatalogRoleAssignment(`${declared.name}-${principalRole}`, {
        catalog: catalog.name,
        catalogRole: role.name,
        principalRole: principalRoleName(principalRole),
      });
    }
    if (shape === "sets") {
      const waits = declared.grants.map(levelsOf).filter((levels) => levels !== undefined);
      new management.CatalogGrantSet(`${declared.name}-grants`, {
        catalog: catalog.name,
        catalogRole: role.name,
        grants: pulumi.all(waits).apply(() => declared.grants),
      });
      await breathe();
    } else {
      for (const grant of declared.grants) {
        const levels = levelsOf(grant);
        const where = grant.namespace ? grant.namespace.join(".") : "catalog";
        new management.CatalogGrant(`${declared.name}-${where}-${grant.privilege}`, {
          catalog: catalog.name,
          catalogRole: role.name,
          grant: levels
            ? pulumi.output(levels).apply((namespace) => ({ ...grant, namespace }))
            : { type: grant.type, privilege: grant.privilege },
        });
        await breathe();
      }
    }
  }
}

export = declareWorkload;
