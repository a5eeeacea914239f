import * as pulumi from "@pulumi/pulumi";
import { management } from "polaris-pulumi";

// A team's stack on top of the platform stack: it reads the catalog from the platform's outputs, and adds a
// namespace of its own under demo.gold, a reader role with its grants, and that role for the analysts.
// Polaris credentials come from stack config (polaris:uri, polaris:clientId, polaris:clientSecret) or from
// POLARIS_URI, POLARIS_CLIENT_ID and POLARIS_CLIENT_SECRET in the environment.
const config = new pulumi.Config();
const platform = new pulumi.StackReference(config.require("platformStack"));
const catalog = platform.requireOutput("warehouseName") as pulumi.Output<string>;
const team = config.get("team") ?? "finance";

const namespace = new management.Namespace(`demo.gold.${team}`, {
  catalog,
  name: team,
  parent: ["demo", "gold"],
  parentExists: true,
  properties: { owner: team },
});
const readers = new management.CatalogRole(`${team}_readers`, { catalog, name: `${team}_readers` });
new management.CatalogGrantSet(`${team}_readers-grants`, {
  catalog,
  catalogRole: readers.name,
  grants: namespace.levels.apply((levels): management.GrantArgs[] => [
    { type: "namespace", namespace: levels, privilege: "TABLE_LIST" },
    { type: "namespace", namespace: levels, privilege: "TABLE_READ_DATA" },
  ]),
});
new management.CatalogRoleAssignment(`${team}_readers-data_analyst`, {
  catalog,
  catalogRole: readers.name,
  principalRole: "data_analyst",
});

export const teamNamespace = namespace.path;
export const readerRole = readers.name;
