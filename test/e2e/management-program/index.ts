import * as pulumi from "@pulumi/pulumi";
import { CatalogRoleAssignment, PrincipalRoleAssignment } from "../../../src/dynamic/assignments";
import { Catalog } from "../../../src/dynamic/catalog";
import { CatalogGrant, CatalogGrantSet, type GrantArgs } from "../../../src/dynamic/grants";
import { Namespace } from "../../../src/dynamic/namespace";
import { Policy, PolicyAttachment } from "../../../src/dynamic/policy";
import { Principal } from "../../../src/dynamic/principal";
import { CatalogRole, PrincipalRole } from "../../../src/dynamic/roles";

// The connection comes from stack config (polaris:uri, polaris:clientId, polaris:clientSecret,
// polaris:realm), so that a rotation of the management credentials touches no resource.
const config = new pulumi.Config();
const prefix = config.require("prefix");
const bucket = config.require("bucket");
const s3Endpoint = config.require("s3Endpoint");

const catalog = new Catalog("demo_catalog", {
  name: `${prefix}demo_catalog`,
  defaultBaseLocation: `s3://${bucket}/${prefix}demo_catalog/`,
  properties: { owner: config.get("catalogOwner") ?? "platform" },
  storage: {
    storageType: "S3",
    allowedLocations: [`s3://${bucket}/${prefix}demo_catalog/`],
    roleArn: config.require("roleArn"),
    region: "us-east-1",
    endpoint: s3Endpoint,
    stsEndpoint: s3Endpoint,
    pathStyleAccess: true,
  },
});

const demo = new Namespace("demo", { catalog: catalog.name, name: "demo" });
const gold = new Namespace("demo.gold", {
  catalog: catalog.name,
  name: "gold",
  parent: demo,
  properties: { classification: config.get("goldClassification") ?? "internal" },
});
const silver = new Namespace("demo.silver", { catalog: catalog.name, name: "silver", parent: demo });

const dataAdmin = new CatalogRole("demo_data_admin", { catalog: catalog.name, name: "demo_data_admin" });
new CatalogRoleAssignment("demo_data_admin-to-service_admin", {
  catalog: catalog.name,
  catalogRole: dataAdmin.name,
  principalRole: "service_admin",
});

const engineerRole = new PrincipalRole("data_engineer", {
  name: `${prefix}data_engineer`,
  properties: { team: config.get("engineerTeam") ?? "data" },
});
new CatalogRoleAssignment("demo_data_admin-to-data_engineer", {
  catalog: catalog.name,
  catalogRole: dataAdmin.name,
  principalRole: engineerRole.name,
});

// The authoritative set of demo_data_admin; config `adminGrants: b` swaps one grant for another, so a
// preview shows exactly one grant added and one removed.
const variant: GrantArgs[] =
  config.get("adminGrants") === "b"
    ? [{ type: "namespace", namespace: ["demo", "silver"], privilege: "TABLE_READ_DATA" }]
    : [{ type: "namespace", namespace: ["demo", "gold"], privilege: "TABLE_WRITE_DATA" }];
new CatalogGrantSet("demo_data_admin-grants", {
  catalog: catalog.name,
  catalogRole: dataAdmin.name,
  grants: pulumi
    .all([gold.levels, silver.levels])
    .apply((): GrantArgs[] => [
      { type: "catalog", privilege: "CATALOG_MANAGE_CONTENT" },
      { type: "namespace", namespace: ["demo", "gold"], privilege: "TABLE_READ_DATA" },
      ...variant,
    ]),
});

// A reader role with additive grants, one per resource.
const reader = new CatalogRole("demo_reader", { catalog: catalog.name, name: "demo_reader" });
new CatalogGrant("reader-list-demo", {
  catalog: catalog.name,
  catalogRole: reader.name,
  grant: demo.levels.apply(
    (levels): GrantArgs => ({
      type: "namespace",
      namespace: levels,
      privilege: "NAMESPACE_LIST",
    }),
  ),
});
new CatalogGrant("reader-read-gold", {
  catalog: catalog.name,
  catalogRole: reader.name,
  grant: gold.levels.apply(
    (levels): GrantArgs => ({
      type: "namespace",
      namespace: levels,
      privilege: "TABLE_READ_DATA",
    }),
  ),
});
const tableGrant = config.get("tableGrant");
if (tableGrant) {
  new CatalogGrant("reader-read-table", {
    catalog: catalog.name,
    catalogRole: reader.name,
    grant: gold.levels.apply(
      (levels): GrantArgs => ({
        type: "table",
        namespace: levels,
        table: tableGrant,
        privilege: "TABLE_READ_DATA",
      }),
    ),
  });
}

// An additive grant on a catalog role made outside this stack (config `sharedGrant: {catalog, catalogRole,
// privilege}`, a catalog-level privilege), so that several stacks can grant on one role side by side.
const sharedGrant = config.getObject<{ catalog: string; catalogRole: string; privilege: string }>(
  "sharedGrant",
);
if (sharedGrant) {
  new CatalogGrant("shared-grant", {
    catalog: sharedGrant.catalog,
    catalogRole: sharedGrant.catalogRole,
    grant: { type: "catalog", privilege: sharedGrant.privilege },
  });
}

// Table maintenance as code: a compaction policy kept in demo and attached to demo.gold.
const compaction = new Policy("gold-compaction", {
  catalog: catalog.name,
  namespace: demo,
  name: "gold_compaction",
  type: "system.data-compaction",
  description: "compact the gold layer nightly",
  content: { version: "2025-02-03", enable: true, config: { target_file_size_bytes: 134217728 } },
});
new PolicyAttachment("gold-compaction-on-gold", { policy: compaction, target: gold });

const engineer = new Principal("engineer", {
  name: `${prefix}engineer`,
  rotation: config.get("engineerRotation"),
  properties: config.getObject<Record<string, string>>("engineerProperties"),
});
new PrincipalRoleAssignment("engineer-data_engineer", {
  principal: engineer.name,
  principalRole: engineerRole.name,
});

export const catalogName = catalog.name;
export const namespaces = [demo.path, gold.path, silver.path];
export const engineerClientId = engineer.clientId;
export const engineerClientSecret = engineer.clientSecret;
