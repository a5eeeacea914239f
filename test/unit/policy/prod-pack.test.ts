import { beforeAll, describe, expect, it } from "vitest";
import type { PolicySubject } from "../../../src/policy";
import { recordEngine, runProgram, stackConfig } from "../platform/support/program";
import { evaluate, subjectsOf, withProps } from "./support";

// The repository's own prod program (Pulumi.prod.yaml) rendered under mocks, judged by every rule of the
// policy pack as `pulumi preview --policy-pack policy` would: it passes, and each rule fails when the
// resource it guards is made unsafe.

let subjects: PolicySubject[];

beforeAll(async () => {
  const engine = await recordEngine("prod");
  await runProgram(engine, stackConfig("prod"));
  subjects = subjectsOf(engine);
});

const find = (type: string, name?: string) => {
  const match = subjects.find((s) => s.type === type && (name === undefined || s.name === name));
  if (!match) throw new Error(`no ${type} ${name ?? ""} in the prod program`);
  return match;
};
const replace = (original: PolicySubject, changed: PolicySubject | undefined) =>
  subjects.flatMap((s) => (s === original ? (changed ? [changed] : []) : [s]));
const rulesBroken = (changed: PolicySubject[]) => [...new Set(evaluate(changed).map((v) => v.rule))];

const CATALOG = "pulumi-nodejs:dynamic/polaris:Catalog";
const NAMESPACE = "pulumi-nodejs:dynamic/polaris:Namespace";

describe("the prod program and the policy pack", () => {
  it("passes every rule", () => {
    expect(subjects.length).toBeGreaterThan(40);
    expect(evaluate(subjects)).toEqual([]);
  });

  it("connects with PRINCIPAL_ROLE:service_admin, and PRINCIPAL_ROLE:ALL or no scope breaks prod-management-scope", () => {
    const catalog = find(CATALOG);
    expect((catalog.props.connection as { scope: string }).scope).toBe("PRINCIPAL_ROLE:service_admin");
    for (const scope of ["PRINCIPAL_ROLE:ALL", undefined]) {
      const violations = evaluate(replace(catalog, withProps(catalog, ["connection", "scope"], scope)));
      expect(violations.map((v) => v.rule)).toEqual(["prod-management-scope"]);
      expect(violations[0]!.message).toMatch(/PRINCIPAL_ROLE:service_admin/);
      expect(violations[0]!.urn).toBe(catalog.urn);
    }
  });

  it("an unprotected catalog breaks prod-protect-catalogs, naming the fix", () => {
    const catalog = find(CATALOG);
    expect(catalog.protect).toBe(true);
    const violations = evaluate(replace(catalog, { ...catalog, protect: false }));
    expect(violations.map((v) => v.rule)).toEqual(["prod-protect-catalogs"]);
    expect(violations[0]!.message).toMatch(/polaris-platform:protect: true/);
  });

  it("FILE storage or unrestricted storage changes break prod-storage-safety", () => {
    const catalog = find(CATALOG);
    expect(rulesBroken(replace(catalog, withProps(catalog, ["storage", "storageType"], "FILE")))).toEqual([
      "prod-storage-safety",
    ]);
    expect(
      rulesBroken(replace(catalog, withProps(catalog, ["allowUnrestrictedStorageChanges"], true))),
    ).toEqual(["prod-storage-safety"]);
    const configMap = find("kubernetes:core/v1:ConfigMap");
    const properties = (configMap.props.data as Record<string, string>)["application.properties"]!;
    const unrestricted = `${properties}\npolaris.features."ALLOW_UNRESTRICTED_STORAGE_CONFIG_ROLE_CHANGES"=true\n`;
    const violations = evaluate(
      replace(configMap, withProps(configMap, ["data", "application.properties"], unrestricted)),
    );
    expect(violations.map((v) => v.rule)).toEqual(["prod-storage-safety"]);
    expect(violations[0]!.message).toMatch(/featureFlags/);
  });

  it("a gold namespace without classification breaks prod-namespace-governance; another prefix can be configured", () => {
    const gold = subjects.find((s) => s.type === NAMESPACE && s.name === "demo.gold")!;
    expect(gold.props.properties).toEqual({ owner: "data-platform", classification: "curated" });
    const bare = withProps(gold, ["properties"], { owner: "data-platform" });
    const violations = evaluate(replace(gold, bare));
    expect(violations.map((v) => v.rule)).toEqual(["prod-namespace-governance"]);
    expect(violations[0]!.message).toMatch(/demo\.gold .*must declare classification/);
    const silver = subjects.find((s) => s.type === NAMESPACE && s.name === "demo.silver")!;
    expect(
      evaluate(subjects, { "prod-namespace-governance": { prefixes: ["demo.silver"] } }).map((v) => v.urn),
    ).toEqual([silver.urn]);
  });

  it("a catalog-admin privilege reaching a persona's principal role breaks catalog-admin-privileges", () => {
    const assignment = subjects.find(
      (s) =>
        s.type === "pulumi-nodejs:dynamic/polaris:CatalogRoleAssignment" &&
        s.props.catalogRole === "demo_data_admin",
    )!;
    expect(assignment.props.principalRole).toBe("service_admin");
    const toAnalyst = withProps(assignment, ["principalRole"], "data_analyst");
    const violations = evaluate(replace(assignment, toAnalyst));
    expect(violations.map((v) => v.rule)).toEqual(["catalog-admin-privileges"]);
    expect(violations[0]!.message).toMatch(/data_analyst gets CATALOG_MANAGE_CONTENT .* demo_data_admin/);
    expect(
      evaluate(replace(assignment, toAnalyst), {
        "catalog-admin-privileges": { adminPrincipalRoles: ["service_admin", "data_analyst"] },
      }),
    ).toEqual([]);
  });

  it("a bucket without its public access block, encryption or versioning breaks bucket-hardening", () => {
    for (const companion of [
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "aws:s3/bucketVersioning:BucketVersioning",
    ]) {
      const violations = evaluate(replace(find(companion), undefined));
      expect(
        violations.map((v) => v.rule),
        companion,
      ).toEqual(["bucket-hardening"]);
      expect(violations[0]!.urn).toBe(find("aws:s3/bucket:Bucket").urn);
    }
  });

  it("an Ingress without TLS, or a LoadBalancer open to all, breaks polaris-exposure", () => {
    const ingress = find("kubernetes:networking.k8s.io/v1:Ingress");
    expect(rulesBroken(replace(ingress, withProps(ingress, ["spec", "tls"], undefined)))).toEqual([
      "polaris-exposure",
    ]);
    const service = find("kubernetes:core/v1:Service");
    const open = withProps(service, ["spec", "type"], "LoadBalancer");
    expect(rulesBroken(replace(service, open))).toEqual(["polaris-exposure"]);
    expect(
      evaluate(replace(service, withProps(open, ["spec", "loadBalancerSourceRanges"], ["10.0.0.0/8"]))),
    ).toEqual([]);
  });

  it("rules for production stay quiet on another stack", () => {
    const catalog = find(CATALOG);
    const elsewhere = {
      ...catalog,
      urn: catalog.urn.replace("urn:pulumi:prod::", "urn:pulumi:dev::"),
      protect: false,
    };
    expect(evaluate(replace(catalog, elsewhere))).toEqual([]);
  });
});
