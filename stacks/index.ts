import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CatalogRoleAssignment, PrincipalRoleAssignment } from "../src/dynamic/assignments";
import { Catalog } from "../src/dynamic/catalog";
import { Namespace } from "../src/dynamic/namespace";
import { Principal } from "../src/dynamic/principal";
import { CatalogRole, PrincipalRole } from "../src/dynamic/roles";

// The reference platform (catalog demo_catalog, its namespaces, roles and principals) on the sandbox's
// Polaris and moto warehouse. Grants and the typed per-environment platform spec come with the next
// issues; local and prod need the kubernetes/aws provider plugins, which these machines cannot install.

const config = new pulumi.Config();
const environment = config.require("environment");
const environments = ["sandbox", "local", "prod"];
if (!environments.includes(environment)) {
  throw new pulumi.RunError(
    `polaris-platform:environment is "${environment}"; allowed values: ${environments.join(", ")}. ` +
      "Fix it in Pulumi.<stack>.yaml.",
  );
}
if (environment !== "sandbox") {
  throw new pulumi.RunError(
    `polaris-platform:environment "${environment}" needs the kubernetes and aws provider plugins, which this ` +
      "program does not build yet. Run the sandbox stack: ./scripts/up",
  );
}

const instance = config.get("sandboxInstance") ?? "default";
const runDir = join(__dirname, "..", ".sandbox", instance);

function envFile(file: string, fix: string): Record<string, string> {
  const path = join(runDir, file);
  if (!existsSync(path)) {
    throw new pulumi.RunError(`the sandbox instance "${instance}" has no ${path}. ${fix}`);
  }
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.includes("="));
  return Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

const sandbox = envFile(
  "endpoints.env",
  `Start it: ./scripts/sandbox start${instance === "default" ? "" : ` --instance ${instance}`}`,
);
const warehouse = envFile("warehouse.env", "Run ./scripts/up, which prepares the warehouse bucket and role.");
const connection = pulumi.secret({
  uri: sandbox.POLARIS_URI!,
  realm: sandbox.POLARIS_REALM!,
  clientId: sandbox.POLARIS_CLIENT_ID!,
  clientSecret: sandbox.POLARIS_CLIENT_SECRET!,
});
const base = `s3://${warehouse.WAREHOUSE_BUCKET}/demo_catalog/`;

const catalog = new Catalog("demo_catalog", {
  connection,
  name: "demo_catalog",
  defaultBaseLocation: base,
  storage: {
    storageType: "S3",
    allowedLocations: [base],
    roleArn: warehouse.WAREHOUSE_ROLE_ARN!,
    region: sandbox.AWS_REGION!,
    endpoint: sandbox.S3_ENDPOINT!,
    stsEndpoint: sandbox.MOTO_ENDPOINT!,
    pathStyleAccess: true,
  },
});

const demo = new Namespace("demo", { connection, catalog: catalog.name, name: "demo" });
const layers = ["bronze", "silver", "gold"].map(
  (layer) => new Namespace(`demo.${layer}`, { connection, catalog: catalog.name, name: layer, parent: demo }),
);

const dataAdmin = new CatalogRole("demo_data_admin", {
  connection,
  catalog: catalog.name,
  name: "demo_data_admin",
});
new CatalogRoleAssignment("demo_data_admin-service_admin", {
  connection,
  catalog: catalog.name,
  catalogRole: dataAdmin.name,
  principalRole: "service_admin",
});

const principals = ["engineer", "analyst"].map((person) => {
  const role = new PrincipalRole(`data_${person}`, { connection, name: `data_${person}` });
  const principal = new Principal(person, { connection, name: person });
  new PrincipalRoleAssignment(`${person}-data_${person}`, {
    connection,
    principal: principal.name,
    principalRole: role.name,
  });
  return principal;
});

export const catalogUri = `${sandbox.POLARIS_URI}/api/catalog`;
export const warehouseName = catalog.name;
export const namespaces = [demo.path, ...layers.map((layer) => layer.path)];
export const credentials = pulumi.secret(
  Object.fromEntries(
    principals.map((p, i) => [
      ["engineer", "analyst"][i],
      { clientId: p.clientId, clientSecret: p.clientSecret },
    ]),
  ),
);
