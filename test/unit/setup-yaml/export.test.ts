import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../../src/setup-yaml/export/cli";
import { ENCRYPTED, type StackEntities, stackEntities } from "../../../src/setup-yaml/export/state";
import { toSetupYaml } from "../../../src/setup-yaml/export/to-setup-yaml";
import { normalizeSetupYaml } from "../../../src/setup-yaml/normalize";
import { planSetup, type SetupPlan } from "../../../src/setup-yaml/plan";
import { parseSetupYaml, readSetupYamlFile, validateSetupDocument } from "../../../src/setup-yaml/read";
import { toYamlText } from "../../../src/setup-yaml/yaml-text";

const fixtures = join(__dirname, "..", "..", "e2e", "setup-yaml");
const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const plaintext = (value: unknown) => ({ [SECRET_KEY]: SECRET_SIG, plaintext: JSON.stringify(value) });

/** A resource of this library as `pulumi stack export` lists it. */
function resource(
  kind: string,
  name: string,
  outputs: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  const type = `pulumi-nodejs:dynamic/polaris:${kind}`;
  return {
    urn: `urn:pulumi:s::p::polaris-pulumi:setup:PolarisSetup$${type}::${name}`,
    type,
    outputs,
    ...extra,
  };
}

/** The entities a stack holds after declaring a plan: what its state export would list. */
function entitiesOf(plan: SetupPlan): StackEntities {
  return {
    principalRoles: plan.principalRoles,
    principals: plan.principals.map((principal) => ({ ...principal, chosenCredentials: false })),
    principalRoleAssignments: plan.principalRoleAssignments,
    catalogs: plan.catalogs.map((catalog) => ({
      name: catalog.name,
      type: catalog.type,
      defaultBaseLocation: catalog.defaultBaseLocation,
      properties: catalog.properties,
      storage: catalog.storage,
      ...(catalog.connectionConfig ? { connectionConfig: catalog.connectionConfig } : {}),
    })),
    namespaces: plan.catalogs.flatMap((catalog) =>
      catalog.namespaces.map((namespace) => ({ catalog: catalog.name, ...namespace })),
    ),
    catalogRoles: plan.catalogs.flatMap((catalog) =>
      catalog.catalogRoles.map((role) => ({ catalog: catalog.name, ...role })),
    ),
    catalogRoleAssignments: plan.catalogs.flatMap((catalog) =>
      catalog.assignments.map((assignment) => ({ catalog: catalog.name, ...assignment })),
    ),
    grants: plan.catalogs.flatMap((catalog) =>
      catalog.grants.map((grant) => ({ catalog: catalog.name, ...grant, authoritative: false })),
    ),
    policies: plan.catalogs.flatMap((catalog) =>
      catalog.policies.map((policy) => ({
        catalog: catalog.name,
        ...policy,
        content: typeof policy.content === "string" ? policy.content : JSON.stringify(policy.content),
      })),
    ),
    attachments: plan.catalogs.flatMap((catalog) =>
      catalog.attachments.map(({ policy, target }) => ({
        catalog: catalog.name,
        policyNamespace: catalog.policies.find((p) => p.name === policy)!.namespace,
        policyName: policy,
        target,
      })),
    ),
  };
}

describe("setup-export", () => {
  const scratch = mkdtempSync(join(tmpdir(), "setup-export-unit-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("reads this library's resources from a state export: plain secrets, encrypted ones marked, deleted ones skipped", () => {
    const entities = stackEntities({
      deployment: {
        resources: [
          { urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type: "pulumi:pulumi:Stack" },
          resource("Catalog", "open", {
            name: "open",
            type: "EXTERNAL",
            defaultBaseLocation: "s3://b/open/",
            properties: {},
            storage: { storageType: "S3", allowedLocations: ["s3://b/open/"] },
            connectionConfig: plaintext({
              connectionType: "ICEBERG_REST",
              uri: "https://r/api/catalog",
              authenticationParameters: { authenticationType: "BEARER", bearerToken: "t0ken-value" },
            }),
          }),
          resource("Catalog", "sealed", {
            name: "sealed",
            type: "EXTERNAL",
            defaultBaseLocation: "s3://b/sealed/",
            storage: { storageType: "S3", allowedLocations: ["s3://b/sealed/"] },
            connectionConfig: { [SECRET_KEY]: SECRET_SIG, ciphertext: "v1:abc" },
          }),
          resource("Catalog", "old", { name: "old", storage: {} }, { delete: true }),
          resource("Principal", "p", { name: "p", properties: {}, clientSecret: plaintext("s3cret-value") }),
        ],
      },
    });
    expect(entities.catalogs.map((catalog) => catalog.name)).toEqual(["open", "sealed"]);
    expect(entities.catalogs[0]!.connectionConfig).toMatchObject({ uri: "https://r/api/catalog" });
    expect(entities.catalogs[1]!.connectionConfig).toBe(ENCRYPTED);
    expect(entities.principals).toEqual([{ name: "p", properties: {}, chosenCredentials: false }]);

    const { document, warnings } = toSetupYaml(entities);
    const text = toYamlText(document);
    expect(text).not.toContain("t0ken-value");
    expect(text).not.toContain("s3cret-value");
    expect(warnings).toContain(
      "catalog open: connection.authentication.token is a secret and is not written; add it before setup apply",
    );
    expect(warnings).toContain(
      "catalog sealed: its connection is encrypted in this state export; export with --show-secrets (the default of setup-export) to write it",
    );
    expect(() => stackEntities({ nodes: [] })).toThrow(/not a `pulumi stack export` of a stack/);
  });

  it("warns about what the format cannot express, and leaves it out", () => {
    const { document, warnings } = toSetupYaml({
      catalogs: [
        {
          name: "sales",
          type: "INTERNAL",
          defaultBaseLocation: "s3://b/sales/",
          properties: {},
          storage: { storageType: "S3", allowedLocations: ["s3://b/sales/"] },
        },
      ],
      namespaces: [
        { catalog: "sales", levels: ["raw"], properties: {} },
        { catalog: "elsewhere", levels: ["x"], properties: {} },
      ],
      principalRoles: [],
      principals: [{ name: "bot", properties: {}, chosenCredentials: true }],
      catalogRoles: [{ catalog: "sales", name: "reader", properties: {} }],
      principalRoleAssignments: [{ principal: "someone", principalRole: "readers" }],
      catalogRoleAssignments: [{ catalog: "sales", catalogRole: "reader", principalRole: "readers" }],
      grants: [
        {
          catalog: "sales",
          catalogRole: "reader",
          grant: { type: "namespace", namespace: ["raw"], privilege: "TABLE_READ_DATA" },
          authoritative: true,
        },
        {
          catalog: "sales",
          catalogRole: "reader",
          grant: { type: "table", namespace: ["raw"], table: "orders", privilege: "TABLE_READ_DATA" },
          authoritative: true,
        },
        {
          catalog: "sales",
          catalogRole: "reader",
          grant: { type: "view", namespace: ["raw"], view: "daily", privilege: "VIEW_READ_PROPERTIES" },
          authoritative: true,
        },
        {
          catalog: "sales",
          catalogRole: "reader",
          grant: { type: "policy", namespace: ["raw"], policy: "p", privilege: "POLICY_READ" },
          authoritative: true,
        },
      ],
      policies: [
        {
          catalog: "sales",
          namespace: ["raw"],
          name: "compaction",
          type: "system.data-compaction",
          content: '{"enable":true}',
        },
      ],
      attachments: [
        {
          catalog: "sales",
          policyNamespace: ["raw"],
          policyName: "compaction",
          target: { type: "namespace", path: ["raw"] },
        },
        {
          catalog: "sales",
          policyNamespace: ["raw"],
          policyName: "compaction",
          target: { type: "table-like", path: ["raw", "orders"] },
        },
        { catalog: "sales", policyNamespace: ["ops"], policyName: "shared", target: { type: "catalog" } },
      ],
    });
    expect(warnings.sort()).toEqual(
      [
        "principal role readers is assigned here but declared elsewhere: it is listed so that the assignments apply, and setup apply creates it where it does not exist",
        "principal bot has chosen credentials in this stack; setup apply always issues new ones",
        "principals: credentials are never written; setup apply creates each principal with new credentials (and prints them)",
        "principal someone is given roles here but declared elsewhere: it is listed for its roles, and setup apply creates it where it does not exist",
        "authoritative grant sets are written as privileges; setup apply only adds grants and never revokes one that is not listed",
        "catalog sales: the table grant TABLE_READ_DATA on raw.orders to reader is left out: setup apply grants catalog and namespace privileges only",
        "catalog sales: the view grant VIEW_READ_PROPERTIES on raw.daily to reader is left out: setup apply grants catalog and namespace privileges only",
        "catalog sales: the policy grant POLICY_READ on raw.p to reader is left out: setup apply grants catalog and namespace privileges only",
        "catalog sales: the attachment of policy raw.compaction to table raw.orders is left out: setup apply cannot create the table it needs",
        "catalog sales: the attachment of policy ops.shared is left out: the policy is declared elsewhere, and setup apply attaches only the policies its YAML lists",
        "namespace x is in catalog elsewhere, which this stack does not declare: left out (setup apply would need the catalog's storage to create it)",
      ].sort(),
    );
    // What is written is a valid setup YAML, with exactly what the format holds.
    const written = validateSetupDocument(document);
    expect(written.catalogs[0]!.roles.reader).toEqual({
      properties: {},
      assign_to: ["readers"],
      privileges: { namespace: [{ namespace: ["raw"], privileges: ["TABLE_READ_DATA"] }] },
    });
    expect(written.catalogs[0]!.policies[0]!.attach).toEqual([{ type: "namespace", path: "raw" }]);
    expect(written.principals.someone).toEqual({ properties: {}, roles: ["readers"] });
  });

  it("writes back what full.yaml declares, equal after normalization but for the secrets it leaves out", () => {
    const declared = readSetupYamlFile(join(fixtures, "full.yaml"));
    const plan = planSetup(declared, { baseDir: fixtures });
    const { document } = toSetupYaml(entitiesOf(plan));
    const written = document as unknown as {
      catalogs: { connection?: { authentication: Record<string, unknown> } }[];
    };
    for (const catalog of written.catalogs) {
      const authentication = catalog.connection?.authentication;
      if (authentication?.type === "oauth") authentication.client_secret = "fixture-oauth-secret";
      if (authentication?.type === "bearer") authentication.token = "fixture-bearer-token";
    }
    const exported = parseSetupYaml(toYamlText(written), "the export");
    const options = { baseDir: fixtures, attachments: true };
    expect(normalizeSetupYaml(exported, options)).toEqual(normalizeSetupYaml(declared, options));
  });

  it("runs as a command: --state in, YAML out, warnings on stderr; a bad argument is a usage error", () => {
    const stateFile = join(scratch, "state.json");
    writeFileSync(
      stateFile,
      JSON.stringify({
        deployment: {
          resources: [resource("PrincipalRole", "r", { name: "readers", properties: { team: "a" } })],
        },
      }),
    );
    const output = join(scratch, "setup.yaml");
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(main(["--state", stateFile, "--output", output])).toBe(0);
      expect(main(["--colour"])).toBe(2);
      expect(stderr.mock.calls.map(([text]) => String(text)).join("")).toMatch(
        /setup-export: unknown argument --colour\nusage: setup-export/,
      );
    } finally {
      stderr.mockRestore();
    }
    const written = readFileSync(output, "utf8");
    expect(written).toMatch(
      /^# Written by polaris-pulumi setup-export\. Apply it with: polaris setup apply <this file>\n/,
    );
    expect(parseSetupYaml(written).principal_roles).toEqual([{ name: "readers", properties: { team: "a" } }]);
  });
});
