import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planSetup } from "../../../src/setup-yaml/plan";
import { SetupYamlError } from "../../../src/setup-yaml/problems";
import { parseSetupYaml, readSetupYamlFile } from "../../../src/setup-yaml/read";

const fixtures = join(__dirname, "..", "..", "e2e", "setup-yaml");

/** The problems a YAML text is refused with, one line each. */
function problems(yaml: string): string[] {
  try {
    parseSetupYaml(yaml, "test.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(SetupYamlError);
    return [...(error as SetupYamlError).problems];
  }
  throw new Error("expected the YAML to be refused, but it was accepted");
}

const s3Catalog = (extra: string) => `
catalogs:
  - name: sales
    storage_type: s3
    default_base_location: s3://bucket/sales/
${extra}`;

describe("setup YAML schema: refusals name the key path and the fix", () => {
  it("names an unknown key with the nearest known one, since setup apply would ignore it silently", () => {
    expect(problems(s3Catalog("    allowed_location: [s3://bucket/sales/]"))).toEqual([
      'catalogs[0]: unknown key "allowed_location" (did you mean "allowed_locations"?). setup apply would ignore it without a word, so fix or remove it.',
    ]);
    expect(problems("principal_role: [a]")[0]).toMatch(
      /^\(top level\): unknown key "principal_role" \(did you mean "principal_roles"\?\)/,
    );
    const unrelated = problems(s3Catalog("    colour: blue"))[0];
    expect(unrelated).toMatch(
      /^catalogs\[0\]: unknown key "colour"\..* a catalog takes: name, type, storage_type/,
    );
  });

  it("refuses an upper-case storage_type, which setup apply compares as written", () => {
    const yaml = s3Catalog("").replace("storage_type: s3", "storage_type: S3");
    expect(problems(yaml)).toEqual([
      'catalogs[0].storage_type: storage_type must be written in lower case ("s3"): setup apply compares it as written',
    ]);
  });

  it("refuses a key of another storage type, and azure without tenant_id", () => {
    const yaml = `
catalogs:
  - name: lake
    storage_type: azure
    default_base_location: abfss://c@a.dfs.core.windows.net/x/
    role_arn: arn:aws:iam::123456789012:role/r`;
    expect(problems(yaml)).toEqual([
      "catalogs[0].role_arn: role_arn belongs to s3 storage, and this catalog's storage_type is azure; remove it (setup apply refuses the catalog)",
      "catalogs[0].tenant_id: tenant_id is required for azure storage",
    ]);
  });

  it("checks privileges per level: a typo gets a suggestion, a privilege at the wrong level its level", () => {
    const yaml = s3Catalog(`    roles:
      reader:
        privileges:
          catalog: [CATALOG_READ_PROPERTIE, NAMESPACE_ATTACH_POLICY]
          namespace:
            a.b: [NAMESPACE_LIST, CATALOG_READ_PROPERTIES]`);
    expect(problems(yaml)).toEqual([
      "catalogs[0].roles.reader.privileges.catalog[0]: unknown privilege CATALOG_READ_PROPERTIE; did you mean CATALOG_READ_PROPERTIES?",
      expect.stringMatching(
        /^catalogs\[0\]\.roles\.reader\.privileges\.catalog\[1\]: NAMESPACE_ATTACH_POLICY is not a catalog-level privilege; Polaris grants it at the namespace level\. Grant it there instead\.$/,
      ),
      expect.stringMatching(
        /^catalogs\[0\]\.roles\.reader\.privileges\.namespace\["a\.b"\]\[1\]: CATALOG_READ_PROPERTIES is not a namespace-level privilege; Polaris grants it at the catalog level/,
      ),
    ]);
  });

  it("asks for strings as property values, and for a mapping where setup apply would crash on an empty entry", () => {
    const yaml = `
principals:
  alice:
  bob:
    properties: {retries: 3}
catalogs:
  - name: sales
    storage_type: s3
    default_base_location: s3://bucket/sales/
    roles:
      reader:`;
    expect(problems(yaml)).toEqual([
      "principals.alice: a principal must be a mapping; write `name: {}` for a principal with nothing more (setup apply fails on an empty one)",
      'principals.bob.properties.retries: property values must be strings: quote numbers and booleans ("8", "true"), as Polaris stores strings',
      "catalogs[0].roles.reader: a catalog role must be a mapping; write `role_name: {}` for a role with nothing more (setup apply fails on an empty one)",
    ]);
  });

  it("mirrors `catalogs create`: an external catalog needs a connection, oauth needs its four keys", () => {
    expect(problems(s3Catalog("    type: external"))).toEqual([
      "catalogs[0].connection: an external catalog needs connection: the remote catalog it federates to (setup apply refuses one without)",
    ]);
    const oauth = s3Catalog(`    type: external
    connection:
      type: iceberg-rest
      uri: https://remote/api/catalog
      authentication:
        type: oauth
        client_id: id
        token: t`);
    expect(problems(oauth)).toEqual([
      "catalogs[0].connection.authentication.token: token belongs to bearer authentication, not oauth; remove it (setup apply would ignore it)",
      "catalogs[0].connection.authentication.token_uri: token_uri is required for oauth authentication (setup apply refuses the catalog without it)",
      "catalogs[0].connection.authentication.client_secret: client_secret is required for oauth authentication (setup apply refuses the catalog without it)",
      "catalogs[0].connection.authentication.scopes: scopes is required for oauth authentication (setup apply refuses the catalog without it)",
    ]);
    expect(
      problems(
        s3Catalog("    connection: {type: hive, uri: thrift://h:9083, authentication: {type: implicit}}"),
      ),
    ).toEqual([
      "catalogs[0].connection.warehouse: warehouse is required for a hive connection",
      "catalogs[0].connection: connection is read only for external catalogs: add `type: external`, or remove it",
    ]);
  });

  it("checks policies in both forms: namespace, type, and content or file", () => {
    const mapped = s3Catalog(`    policies:
      compaction:
        type: system.data-compactio
        content: {enable: true}
        file: compaction.json
        attach:
          - type: catalog
            path: a.b
          - type: namespace`);
    expect(problems(mapped)).toEqual([
      'catalogs[0].policies.compaction.type: unknown policy type "system.data-compactio"; did you mean system.data-compaction? Polaris 1.4.1 knows system.data-compaction, system.metadata-compaction, system.orphan-file-removal, system.snapshot-expiry',
      "catalogs[0].policies.compaction.attach[0].path: a catalog attachment has no path (Polaris would attach to the whole catalog anyway); remove it",
      "catalogs[0].policies.compaction.attach[1].path: a namespace attachment needs path: the dotted namespace, e.g. sales.emea",
      "catalogs[0].policies.compaction.namespace: namespace is required: the namespace the policy lives in (setup apply skips a policy without one)",
      "catalogs[0].policies.compaction.file: give content or file, not both (setup apply would use content and ignore file)",
    ]);
    const listed = s3Catalog(`    policies:
      - name: snapshots
        namespace: a..b
        type: system.snapshot-expiry
        content: {enable: true}
      - name: metadata
        namespace: [a, b]
        type: system.metadata-compaction`);
    expect(problems(listed)).toEqual([
      'catalogs[0].policies[0].namespace: a dotted namespace must not have an empty level (as in "a..b" or ".a")',
      "catalogs[0].policies[1].content: content or file is required (setup apply skips a policy with neither)",
    ]);
  });

  it("says where a YAML syntax error is", () => {
    expect(() => parseSetupYaml("catalogs:\n  - name: [unclosed\n", "broken.yaml")).toThrow(
      /^broken\.yaml is not valid YAML, at line 3, column 1: unexpected end of the stream within a flow collection$/,
    );
  });

  it("reads YAML 1.1 booleans as setup apply (PyYAML) does", () => {
    const document = parseSetupYaml(s3Catalog("    path_style_access: yes\n    sts_unavailable: off"));
    expect(document.catalogs[0]).toMatchObject({ path_style_access: true, sts_unavailable: false });
  });
});

describe("setup YAML plan: what PolarisSetup declares", () => {
  it("refuses what the library cannot send, naming each key (beyond-sandbox.yaml)", () => {
    const document = readSetupYamlFile(join(fixtures, "beyond-sandbox.yaml"));
    expect(() => planSetup(document, { baseDir: fixtures, source: "beyond-sandbox.yaml" })).toThrow(
      SetupYamlError,
    );
    try {
      planSetup(document, { baseDir: fixtures, source: "beyond-sandbox.yaml" });
    } catch (error) {
      expect((error as SetupYamlError).problems).toEqual([
        "catalogs[0].policies[0].attach[0].parameters: attachment parameters are not sent by this library's PolicyAttachment; remove them",
        expect.stringMatching(
          /^catalogs\[1\]\.encryption_keys: encryption_keys is a field of Polaris 1\.5 and later/,
        ),
        expect.stringMatching(
          /^catalogs\[1\]\.decryption_keys: decryption_keys is a field of Polaris 1\.5 and later/,
        ),
        expect.stringMatching(
          /^catalogs\[2\]\.connection\.authentication\.type: gcp authentication comes with Polaris 1\.5 and later/,
        ),
      ]);
    }
  });

  it("follows setup apply: parents of nested namespaces, built-ins referenced only, table and view privileges left out", () => {
    const plan = planSetup(readSetupYamlFile(join(fixtures, "full.yaml")), { baseDir: fixtures });
    const sales = plan.catalogs.find((catalog) => catalog.name === "sales")!;
    expect(sales.namespaces.map((namespace) => namespace.levels.join("."))).toEqual([
      "raw",
      "curated",
      "reports",
      "raw.events",
      "curated.daily",
      "curated.monthly",
      "curated.daily.v1",
    ]);
    expect(
      sales.namespaces.find((namespace) => namespace.levels.join(".") === "reports")?.properties,
    ).toEqual({
      classification: "internal",
      location: "s3://acme-sales/landing/reports/",
    });
    expect(sales.catalogRoles.map((role) => role.name)).toEqual(["sales_reader", "sales_writer"]);
    expect(sales.assignments).toContainEqual({
      catalogRole: "catalog_admin",
      principalRole: "data_engineer",
    });
    expect(
      sales.grants.every((grant) => grant.grant.type === "catalog" || grant.grant.type === "namespace"),
    ).toBe(true);
    expect(plan.warnings).toEqual([
      expect.stringMatching(
        /^catalogs\[0\]\.roles\.sales_reader\.privileges\.table: setup apply ignores table privileges/,
      ),
      expect.stringMatching(
        /^catalogs\[0\]\.roles\.sales_reader\.privileges\.view: setup apply ignores view privileges/,
      ),
    ]);
    // Polaris always lists the default base location among the allowed ones.
    expect(sales.storage.allowedLocations).toEqual([
      "s3://acme-sales/warehouse/",
      "s3://acme-sales/landing/",
    ]);
    expect(sales.storage).not.toHaveProperty("userArn");
    const orphans = sales.policies.find((policy) => policy.name === "raw_orphans");
    expect(orphans?.content).toEqual({ version: "2025-02-03", enable: true, max_orphan_file_age_in_days: 7 });
    const rest = plan.catalogs.find((catalog) => catalog.name === "federated_rest")!;
    expect(rest.connectionConfig).toEqual({
      connectionType: "ICEBERG_REST",
      uri: "http://127.0.0.1:9/api/catalog",
      remoteCatalogName: "remote_sales",
      authenticationParameters: {
        authenticationType: "OAUTH",
        tokenUri: "http://127.0.0.1:9/api/catalog/v1/oauth/tokens",
        clientId: "federation-client",
        clientSecret: "fixture-oauth-secret",
        scopes: ["PRINCIPAL_ROLE:ALL"],
      },
    });
  });

  it("leaves out what Polaris makes itself, as a `polaris setup export` lists it", () => {
    const exported = parseSetupYaml(`
principal_roles: [service_admin, analysts]
principals:
  root: {type: service, roles: [service_admin]}
catalogs:
  - name: sales
    storage_type: s3
    default_base_location: s3://bucket/sales/
    properties: {polaris-pulumi.owner: proj/stack/x, team: a}
    roles:
      catalog_admin:
        assign_to: [analysts, service_admin]
        privileges: {catalog: [CATALOG_MANAGE_ACCESS, CATALOG_MANAGE_CONTENT, CATALOG_MANAGE_METADATA]}`);
    const plan = planSetup(exported, { baseDir: "." });
    expect(plan.principalRoles.map((role) => role.name)).toEqual(["analysts"]);
    expect(plan.principals).toEqual([]);
    expect(plan.principalRoleAssignments).toEqual([]);
    expect(plan.catalogs[0]!.properties).toEqual({ team: "a" });
    expect(plan.catalogs[0]!.catalogRoles).toEqual([]);
    expect(plan.catalogs[0]!.assignments).toEqual([
      { catalogRole: "catalog_admin", principalRole: "analysts" },
    ]);
    expect(plan.catalogs[0]!.grants).toEqual([
      { catalogRole: "catalog_admin", grant: { type: "catalog", privilege: "CATALOG_MANAGE_CONTENT" } },
    ]);
    expect(plan.warnings).toEqual([
      expect.stringMatching(
        /^catalogs\[0\]\.properties: polaris-pulumi\.owner is this library's ownership marker/,
      ),
    ]);
  });
});
