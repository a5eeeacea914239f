import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { PolarisSetup } from "../../../src/setup-yaml/polaris-setup";
import { recordResources } from "../../support/mocks";
import { settled } from "../aws/support/settle";

// The resource graph PolarisSetup registers for a setup YAML, with the engine mocked: which resources, with
// which defaults. That the graph works against Polaris is test/e2e/setup-yaml.e2e.test.ts.

const fullYaml = join(__dirname, "..", "..", "e2e", "setup-yaml", "full.yaml");
type Mocked = Awaited<ReturnType<typeof recordResources>>;

const kind = (type: string) => type.split(":").pop();

function unwrap<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  return new Promise((resolve) => {
    pulumi
      .all([output, pulumi.isSecret(output)])
      .apply(([value, secret]) => resolve({ value: value as T, secret }));
  });
}

describe("PolarisSetup", () => {
  let mocked: Mocked;
  beforeAll(async () => {
    mocked = await recordResources({ project: "setup-yaml", stack: "unit" });
  });

  async function declare(args: ConstructorParameters<typeof PolarisSetup>[1], name = "setup") {
    const before = mocked.registered.length;
    const setup = new PolarisSetup(name, args);
    await settled(() => mocked.registered.length);
    return { setup, registered: mocked.registered.slice(before) };
  }

  it("declares every entity of full.yaml, adopting by default, with one additive grant per privilege", async () => {
    const { setup, registered } = await declare({ file: fullYaml });
    const counts: Record<string, number> = {};
    for (const resource of registered) counts[kind(resource.type)!] = (counts[kind(resource.type)!] ?? 0) + 1;
    expect(counts).toEqual({
      PolarisSetup: 1,
      PrincipalRole: 2,
      Principal: 3,
      PrincipalRoleAssignment: 2,
      Catalog: 6,
      Namespace: 8,
      CatalogRole: 2,
      CatalogRoleAssignment: 3,
      CatalogGrant: 7,
      Policy: 4,
      PolicyAttachment: 3,
    });
    for (const resource of registered.filter((r) =>
      ["Catalog", "Namespace", "Principal", "Policy"].includes(kind(r.type)!),
    )) {
      expect(resource.inputs.adopt, resource.name).toBe(true);
    }
    const ingest = registered.find((r) => r.name === "setup/principal/ingest")!;
    expect(ingest.inputs.resetCredentialsOnAdopt).toBe(false);
    const reports = registered.find((r) => r.name === "setup/namespace/sales/reports")!;
    expect(reports.inputs.properties).toEqual({
      classification: "internal",
      location: "s3://acme-sales/landing/reports/",
    });
    const rest = registered.find((r) => r.name === "setup/catalog/federated_rest")!;
    expect(rest.redactedInputs.connectionConfig, "the connection with its secret is a secret input").toBe(
      "[secret]",
    );

    const credentials = await unwrap(setup.credentials);
    expect(credentials.secret).toBe(true);
    expect(Object.keys(credentials.value).sort()).toEqual(["auditor", "dashboards", "ingest"]);
    expect(setup.warnings).toHaveLength(2);
  });

  it('declares one authoritative CatalogGrantSet per role with grants: "authoritative"', async () => {
    // Another catalog than full.yaml's: one program may not declare a role's grants in both shapes.
    const yaml = `
catalogs:
  - name: strict
    storage_type: s3
    default_base_location: s3://strict/
    namespaces: [raw]
    roles:
      writer:
        privileges:
          catalog: [CATALOG_READ_PROPERTIES]
          namespace: {raw: [TABLE_CREATE, TABLE_WRITE_DATA]}
      catalog_admin:
        privileges: {catalog: [CATALOG_MANAGE_ACCESS, CATALOG_MANAGE_CONTENT]}
`;
    const { registered } = await declare({ yaml, grants: "authoritative", adopt: false }, "strict");
    expect(registered.filter((r) => kind(r.type) === "CatalogGrant")).toEqual([]);
    const sets = registered.filter((r) => kind(r.type) === "CatalogGrantSet");
    expect(sets.map((set) => set.name).sort()).toEqual([
      "strict/grants/strict/catalog_admin",
      "strict/grants/strict/writer",
    ]);
    const writer = sets.find((set) => set.name.endsWith("/writer"))!;
    expect(Object.keys(writer.inputs.grants as object).sort()).toEqual([
      "catalog:CATALOG_READ_PROPERTIES",
      "namespace:raw:TABLE_CREATE",
      "namespace:raw:TABLE_WRITE_DATA",
    ]);
    const admin = sets.find((set) => set.name.endsWith("/catalog_admin"))!;
    expect(
      Object.keys(admin.inputs.grants as object),
      "catalog_admin's built-in grant is not declared",
    ).toEqual(["catalog:CATALOG_MANAGE_CONTENT"]);
    expect(registered.find((r) => r.name === "strict/catalog/strict")!.inputs.adopt).toBe(false);
  });

  it("refuses a YAML with a mistake, naming the key path, before registering any entity", async () => {
    const yaml =
      "catalogs:\n  - name: sales\n    storage_type: s3\n    default_base_location: s3://b/s/\n    regoin: us-east-1\n";
    expect(() => new PolarisSetup("bad", { yaml })).toThrow(
      /the setup YAML in `yaml` cannot be used as a polaris setup YAML:\n {2}catalogs\[0\]: unknown key "regoin" \(did you mean "region"\?\)/,
    );
    expect(() => new PolarisSetup("neither", {})).toThrow(
      /needs exactly one of `file` \(a path\) and `yaml` \(the text\)/,
    );
    expect(() => new PolarisSetup("missing", { file: "/nonexistent/setup.yaml" })).toThrow(
      /cannot read the setup YAML \/nonexistent\/setup\.yaml: ENOENT/,
    );
  });
});
