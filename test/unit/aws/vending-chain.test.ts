import { beforeAll, describe, expect, it } from "vitest";
import type { CatalogStorageRole } from "../../../src/aws/catalog-storage-role";
import type { PolicyDocument } from "../../../src/aws/policies";
import { recordResources, outputValue as resolved } from "../../support/mocks";
import { polarisSessionPolicy } from "./support/polaris-session-policy";
import { settled } from "./support/settle";
import { ACCOUNT, decide, parsePolicy } from "./support/simulate";

// The prod wiring in one program, as a stack would write it: bucket -> Polaris identity -> catalog roles,
// each fed the others' outputs, with no second apply.
describe("credential vending from the bucket to a vended session", () => {
  let recorder: Awaited<ReturnType<typeof recordResources>>;
  let demo: CatalogStorageRole;
  let sales: CatalogStorageRole;
  let identityPolicy: PolicyDocument;
  const policyOf = (type: string, name: string, key: string) =>
    parsePolicy(recorder.one(type, name).inputs[key]);

  beforeAll(async () => {
    recorder = await recordResources();
    const { WarehouseBucket } = await import("../../../src/aws/warehouse-bucket");
    const { PolarisServiceIdentity } = await import("../../../src/aws/polaris-service-identity");
    const { CatalogStorageRole } = await import("../../../src/aws/catalog-storage-role");

    const bucket = new WarehouseBucket("lake", { bucketName: "acme-lake" });
    const identity = new PolarisServiceIdentity("polaris", {
      oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`,
    });
    demo = new CatalogStorageRole("demo", {
      bucket,
      allowedLocations: ["s3://acme-lake/warehouse/demo/"],
      polarisRoleArn: identity.roleArn,
    });
    sales = new CatalogStorageRole("sales", {
      bucket,
      allowedLocations: ["s3://acme-lake/warehouse/sales/"],
      polarisRoleArn: identity.roleArn,
    });
    await Promise.all([resolved(demo.catalogStorage), resolved(sales.catalogStorage)]);
    await settled(() => recorder.registered.length);
    identityPolicy = policyOf("aws:iam/rolePolicy:RolePolicy", "polaris-assume-catalog-roles", "policy");
  });

  const polarisAssumes = (catalog: "demo" | "sales", externalId: string) =>
    decide(
      {
        identity: [identityPolicy],
        resource: policyOf("aws:iam/role:Role", `${catalog}-role`, "assumeRolePolicy"),
      },
      {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/polaris-role/polaris-pod`,
        action: "sts:AssumeRole",
        resource: `arn:aws:iam::${ACCOUNT}:role/polaris/catalog/${catalog}-role`,
        context: { "sts:ExternalId": externalId },
      },
    );

  it("trusts the identity's role ARN in each catalog role", () => {
    for (const catalog of ["demo", "sales"]) {
      const trust = policyOf("aws:iam/role:Role", `${catalog}-role`, "assumeRolePolicy");
      expect(trust.Statement.map((s) => s.Principal)).toEqual([
        { AWS: `arn:aws:iam::${ACCOUNT}:role/polaris/polaris-role` },
        { AWS: `arn:aws:iam::${ACCOUNT}:role/polaris/polaris-role` },
      ]);
    }
  });

  it("lets Polaris assume each catalog role with that catalog's external id only", async () => {
    const demoId = await resolved(demo.externalId);
    const salesId = await resolved(sales.externalId);
    expect(demoId).not.toBe(salesId);
    expect(await polarisAssumes("demo", demoId)).toBe("Allowed");
    expect(await polarisAssumes("sales", salesId)).toBe("Allowed");
    expect(await polarisAssumes("sales", demoId)).toBe("ImplicitlyDenied");
  });

  it("needs no edit of the identity for a second catalog: its policy names no catalog", () => {
    expect(identityPolicy.Statement).toEqual([
      {
        Sid: "AssumeCatalogStorageRoles",
        Effect: "Allow",
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: `arn:aws:iam::${ACCOUNT}:role/polaris/catalog/*`,
      },
    ]);
  });

  it("keeps a demo_catalog session out of the sales catalog's data", async () => {
    const demoPermissions = policyOf("aws:iam/rolePolicy:RolePolicy", "demo-storage", "policy");
    const session = polarisSessionPolicy({
      readLocations: ["s3://acme-lake/warehouse/sales/orders"],
      writeLocations: ["s3://acme-lake/warehouse/sales/orders"],
    });
    expect(
      await decide(
        { identity: [demoPermissions], session },
        {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/demo-role/vended`,
          action: "s3:GetObject",
          resource: "arn:aws:s3:::acme-lake/warehouse/sales/orders/data/1.parquet",
        },
      ),
    ).toBe("ImplicitlyDenied");
  });
});
