import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { CatalogStorageRole as CatalogStorageRoleType } from "../../../src/aws/catalog-storage-role";
import type { PolicyDocument } from "../../../src/aws/policies";
import type { WarehouseBucket as WarehouseBucketType } from "../../../src/aws/warehouse-bucket";
import { isSecret, recordResources, outputValue as resolved } from "../../support/mocks";
import { polarisSessionPolicy } from "./support/polaris-session-policy";
import { settled } from "./support/settle";
import { ACCOUNT, type Decision, decide, parsePolicy } from "./support/simulate";

type Recorder = Awaited<ReturnType<typeof recordResources>>;
let recorder: Recorder;
let CatalogStorageRole: typeof CatalogStorageRoleType;
let WarehouseBucket: typeof WarehouseBucketType;

beforeAll(async () => {
  recorder = await recordResources();
  ({ CatalogStorageRole } = await import("../../../src/aws/catalog-storage-role"));
  ({ WarehouseBucket } = await import("../../../src/aws/warehouse-bucket"));
});

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
const POLARIS_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/polaris/polaris-identity`;
// What Polaris' pod is while it calls sts:AssumeRole: a session of its IRSA role.
const POLARIS_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/polaris-identity/polaris-pod`;
const OTHER_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/spark-jobs/spark-pod`;
const inputsOf = (type: string, name: string) => recorder.one(type, name).inputs;

describe("CatalogStorageRole for demo_catalog", () => {
  let bucket: WarehouseBucketType;
  let role: CatalogStorageRoleType;
  let permissions: PolicyDocument;
  let trust: PolicyDocument;
  const catalogRoleArn = `arn:aws:iam::${ACCOUNT}:role/polaris/catalog/demo-role`;

  beforeAll(async () => {
    bucket = new WarehouseBucket("wh", { bucketName: "acme-warehouse" });
    role = new CatalogStorageRole("demo", {
      bucket,
      allowedLocations: ["s3://acme-warehouse/warehouse/demo/", "s3://acme-warehouse/warehouse/sales/"],
      polarisRoleArn: POLARIS_ROLE_ARN,
    });
    await resolved(role.catalogStorage);
    await settled(() => recorder.registered.length);
    permissions = parsePolicy(inputsOf(ROLE_POLICY, "demo-storage").policy);
    trust = parsePolicy(inputsOf(ROLE, "demo-role").assumeRolePolicy);
  });

  it("registers an external id, a role under /polaris/catalog/ and its inline policy, named after the component", async () => {
    const children = recorder.registered
      .filter((r) => r.name.startsWith("demo-"))
      .map((r) => `${r.type} ${r.name}`)
      .sort();
    expect(children).toEqual(
      [`${RANDOM_PASSWORD} demo-external-id`, `${ROLE} demo-role`, `${ROLE_POLICY} demo-storage`].sort(),
    );
    expect(inputsOf(ROLE, "demo-role")).toMatchObject({
      path: "/polaris/catalog/",
      maxSessionDuration: 3600,
    });
    expect(inputsOf(ROLE_POLICY, "demo-storage").role, "the policy is attached to the catalog role").toBe(
      "demo-role-id",
    );
    expect(inputsOf(RANDOM_PASSWORD, "demo-external-id")).toEqual({ length: 48, special: false });
    expect(await resolved(role.roleArn)).toBe(catalogRoleArn);
  });

  it("hands the catalog its storage config, built from the bucket and the role", async () => {
    expect(await resolved(role.catalogStorage)).toEqual({
      storageType: "S3",
      roleArn: catalogRoleArn,
      region: "eu-west-1",
      allowedLocations: ["s3://acme-warehouse/warehouse/demo/", "s3://acme-warehouse/warehouse/sales/"],
    });
    expect(
      JSON.stringify(permissions),
      "the policy names the ARN the bucket resource reported, so the role waits for the bucket",
    ).toContain("arn:aws:s3:::acme-warehouse/warehouse/demo/*");
  });

  describe("the permission policy, as the ceiling of every vended credential", () => {
    const vended = (
      action: string,
      resource: string,
      options: { prefix?: string; session?: PolicyDocument } = {},
    ) =>
      decide(
        { identity: [permissions], ...(options.session ? { session: options.session } : {}) },
        {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/demo-role/polaris-vended`,
          action,
          resource,
          context: options.prefix === undefined ? {} : { "s3:prefix": options.prefix },
        },
      );
    const object = (key: string) => `arn:aws:s3:::acme-warehouse/${key}`;

    it("reads, writes and deletes objects inside both allowed locations", async () => {
      for (const key of ["warehouse/demo/gold/orders/data/1.parquet", "warehouse/sales/metadata/v1.json"]) {
        for (const action of ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"]) {
          expect(await vended(action, object(key)), `${action} ${key}`).toBe("Allowed");
        }
      }
    });

    it("touches nothing outside them: other prefixes, a sibling sharing the name, the bucket root, other buckets", async () => {
      const outside = [
        object("warehouse/other/t/data.parquet"),
        object("warehouse/demo2/t/data.parquet"),
        object("warehouse/demo-archive/t/data.parquet"),
        object("warehouse/demo"),
        object("top-level.txt"),
        "arn:aws:s3:::other-bucket/warehouse/demo/t/data.parquet",
      ];
      for (const resource of outside) {
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
          expect(await vended(action, resource), `${action} ${resource}`).toBe("ImplicitlyDenied");
        }
      }
    });

    it("never deletes object versions for good: the versioned bucket keeps what a session deletes", async () => {
      expect(await vended("s3:DeleteObjectVersion", object("warehouse/demo/t/data.parquet"))).toBe(
        "ImplicitlyDenied",
      );
    });

    it("lists only with an s3:prefix inside an allowed location", async () => {
      const list = (prefix?: string) =>
        vended("s3:ListBucket", "arn:aws:s3:::acme-warehouse", prefix === undefined ? {} : { prefix });
      expect(await list("warehouse/demo/")).toBe("Allowed");
      expect(await list("warehouse/demo/gold/orders/")).toBe("Allowed");
      expect(await list("warehouse/sales/")).toBe("Allowed");
      const refused: (string | undefined)[] = [
        undefined,
        "",
        "warehouse/",
        "warehouse/demo",
        "warehouse/demo2/",
      ];
      for (const prefix of refused) expect(await list(prefix), `prefix ${prefix}`).toBe("ImplicitlyDenied");
      expect(await list("warehouse/demo/")).toBe("Allowed");
      expect(await vended("s3:ListBucket", "arn:aws:s3:::other-bucket", { prefix: "warehouse/demo/" })).toBe(
        "ImplicitlyDenied",
      );
    });

    it("may locate the bucket, which engines do before their first request", async () => {
      expect(await vended("s3:GetBucketLocation", "arn:aws:s3:::acme-warehouse")).toBe("Allowed");
      expect(await vended("s3:GetBucketLocation", "arn:aws:s3:::other-bucket")).toBe("ImplicitlyDenied");
    });

    it("with Polaris' session policy for one table, reaches that table only", async () => {
      const table = "s3://acme-warehouse/warehouse/demo/gold/orders";
      const readWrite = polarisSessionPolicy({ readLocations: [table], writeLocations: [table] });
      const readOnly = polarisSessionPolicy({ readLocations: [table] });
      const inTable = object("warehouse/demo/gold/orders/data/1.parquet");
      const otherTable = object("warehouse/demo/gold/customers/data/1.parquet");

      expect(await vended("s3:GetObject", inTable, { session: readWrite })).toBe("Allowed");
      expect(await vended("s3:PutObject", inTable, { session: readWrite })).toBe("Allowed");
      expect(await vended("s3:DeleteObject", inTable, { session: readWrite })).toBe("Allowed");
      expect(await vended("s3:GetObject", otherTable, { session: readWrite })).toBe("ImplicitlyDenied");
      expect(await vended("s3:PutObject", inTable, { session: readOnly })).toBe("ImplicitlyDenied");
      expect(await vended("s3:GetObject", inTable, { session: readOnly })).toBe("Allowed");
      expect(
        await vended("s3:ListBucket", "arn:aws:s3:::acme-warehouse", {
          session: readOnly,
          prefix: "warehouse/demo/gold/orders/metadata/",
        }),
      ).toBe("Allowed");
      expect(
        await vended("s3:ListBucket", "arn:aws:s3:::acme-warehouse", {
          session: readOnly,
          prefix: "warehouse/demo/gold/",
        }),
      ).toBe("ImplicitlyDenied");
    });

    it("stays the ceiling when a session policy asks for more than the catalog's locations", async () => {
      const outside = "s3://acme-warehouse/warehouse/other/t";
      const greedy = polarisSessionPolicy({ readLocations: [outside], writeLocations: [outside] });
      expect(await vended("s3:PutObject", object("warehouse/other/t/x.parquet"), { session: greedy })).toBe(
        "ImplicitlyDenied",
      );
    });
  });

  describe("the trust policy", () => {
    const assume = (principal: string, externalId?: string, identity: PolicyDocument[] = []) =>
      decide(
        { resource: trust, identity },
        {
          principal,
          action: "sts:AssumeRole",
          resource: catalogRoleArn,
          context: externalId === undefined ? {} : { "sts:ExternalId": externalId },
        },
      );
    const externalId = "mock-demo-external-id-random";

    it("lets Polaris' identity in with the catalog's external id", async () => {
      expect(await assume(POLARIS_SESSION, externalId)).toBe("Allowed");
    });

    it("refuses Polaris without the external id or with a wrong one", async () => {
      expect(await assume(POLARIS_SESSION)).toBe("ImplicitlyDenied");
      expect(await assume(POLARIS_SESSION, "guessed-external-id")).toBe("ImplicitlyDenied");
      expect(await assume(POLARIS_SESSION, externalId.toUpperCase())).toBe("ImplicitlyDenied");
    });

    it("refuses any other identity, even with the right external id and permission to assume roles", async () => {
      const mayAssumeAnything: PolicyDocument = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
      };
      expect(await assume(OTHER_SESSION, externalId, [mayAssumeAnything])).toBe("ImplicitlyDenied");
      expect(await assume(`arn:aws:iam::${ACCOUNT}:user/admin`, externalId, [mayAssumeAnything])).toBe(
        "ImplicitlyDenied",
      );
      expect(await assume(`arn:aws:sts::210987654321:assumed-role/polaris-identity/x`, externalId)).toBe(
        "ImplicitlyDenied",
      );
    });

    it("lets only Polaris tag its sessions", async () => {
      const tag = (principal: string) =>
        decide({ resource: trust }, { principal, action: "sts:TagSession", resource: catalogRoleArn });
      expect(await tag(POLARIS_SESSION)).toBe("Allowed");
      expect(await tag(OTHER_SESSION)).toBe("ImplicitlyDenied");
    });
  });

  describe("the external id", () => {
    it("is a secret output holding the generated value", async () => {
      expect(await isSecret(role.externalId)).toBe(true);
      expect(await resolved(role.externalId)).toBe("mock-demo-external-id-random");
    });

    it("appears in clear text in no resource input, the trust policy included", () => {
      // AWS needs the external id inside the trust policy, so that policy is kept secret as a whole.
      const holders = recorder.registered
        .filter((r) => JSON.stringify(r.redactedInputs).includes("mock-demo-external-id-random"))
        .map((r) => `${r.type} ${r.name}`);
      expect(holders).toEqual([]);
      const trust = recorder.one(ROLE, "demo-role");
      expect(JSON.stringify(trust.inputs.assumeRolePolicy)).toContain("mock-demo-external-id-random");
    });
  });
});

describe("CatalogStorageRole options", () => {
  it("takes a given external id instead of generating one, and keeps it secret", async () => {
    const bucket = new WarehouseBucket("given-wh", { bucketName: "acme-given" });
    const role = new CatalogStorageRole("given", {
      bucket,
      allowedLocations: ["s3://acme-given/warehouse/"],
      polarisRoleArn: POLARIS_ROLE_ARN,
      externalId: "partner-supplied-external-id-0001",
    });
    await resolved(role.catalogStorage);
    expect(await isSecret(role.externalId)).toBe(true);
    expect(await resolved(role.externalId)).toBe("partner-supplied-external-id-0001");
    expect(recorder.ofType(RANDOM_PASSWORD).filter((r) => r.name.startsWith("given-"))).toEqual([]);
    const trust = parsePolicy(inputsOf(ROLE, "given-role").assumeRolePolicy);
    expect(trust.Statement[0]?.Condition).toEqual({
      StringEquals: { "sts:ExternalId": "partner-supplied-external-id-0001" },
    });
  });

  it("lets vended sessions use the bucket's KMS key through S3 only, and tells Polaris about the key", async () => {
    const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111-2222`;
    const bucket = new WarehouseBucket("kms-wh", { bucketName: "acme-kms", kmsKeyArn: key });
    const role = new CatalogStorageRole("kms", {
      bucket,
      allowedLocations: ["s3://acme-kms/warehouse/"],
      polarisRoleArn: POLARIS_ROLE_ARN,
    });
    expect(await resolved(role.catalogStorage)).toMatchObject({ currentKmsKey: key, allowedKmsKeys: [key] });
    await settled(() => recorder.registered.length);
    const permissions = parsePolicy(inputsOf(ROLE_POLICY, "kms-storage").policy);
    // KMS needs the key policy to allow too; the default one leaves the decision to IAM policies.
    const defaultKeyPolicy: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    };
    const kms = (action: string, resource: string, viaService?: string): Promise<Decision> =>
      decide(
        { identity: [permissions], resource: defaultKeyPolicy },
        {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/kms-role/vended`,
          action,
          resource,
          context: viaService === undefined ? {} : { "kms:ViaService": viaService },
        },
      );
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"]) {
      expect(await kms(action, key, "s3.eu-west-1.amazonaws.com"), action).toBe("Allowed");
      expect(await kms(action, key), `${action} called directly`).toBe("ImplicitlyDenied");
    }
    expect(
      await kms("kms:Decrypt", `arn:aws:kms:eu-west-1:${ACCOUNT}:key/other`, "s3.eu-west-1.amazonaws.com"),
    ).toBe("ImplicitlyDenied");
    expect(await kms("kms:ScheduleKeyDeletion", key, "s3.eu-west-1.amazonaws.com")).toBe("ImplicitlyDenied");
  });

  it("grants no KMS use when the bucket has no KMS key", async () => {
    const bucket = new WarehouseBucket("sse-wh", { bucketName: "acme-sse" });
    const role = new CatalogStorageRole("sse", {
      bucket,
      allowedLocations: ["s3://acme-sse/warehouse/"],
      polarisRoleArn: POLARIS_ROLE_ARN,
    });
    expect(await resolved(role.catalogStorage)).not.toHaveProperty("currentKmsKey");
    await settled(() => recorder.registered.length);
    expect(inputsOf(ROLE_POLICY, "sse-storage").policy).not.toContain("kms:");
  });

  it("accepts an existing bucket described by hand, and a catalog that owns the whole bucket", async () => {
    const role = new CatalogStorageRole("whole", {
      bucket: { bucketName: "legacy-lake", arn: "arn:aws:s3:::legacy-lake" },
      allowedLocations: ["s3://legacy-lake/"],
      polarisRoleArn: POLARIS_ROLE_ARN,
    });
    await resolved(role.catalogStorage);
    await settled(() => recorder.registered.length);
    const permissions = parsePolicy(inputsOf(ROLE_POLICY, "whole-storage").policy);
    const request = (action: string, resource: string) =>
      decide(
        { identity: [permissions] },
        { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/whole-role/v`, action, resource },
      );
    expect(await request("s3:PutObject", "arn:aws:s3:::legacy-lake/any/key")).toBe("Allowed");
    expect(await request("s3:ListBucket", "arn:aws:s3:::legacy-lake")).toBe("Allowed");
    expect(await request("s3:PutObject", "arn:aws:s3:::legacy-lake-2/any/key")).toBe("ImplicitlyDenied");
  });
});

describe("CatalogStorageRole bad input", () => {
  const bucketRef = { bucketName: "acme-warehouse", arn: "arn:aws:s3:::acme-warehouse" };
  const build = (name: string, allowedLocations: string[], externalId?: string) => () =>
    new CatalogStorageRole(name, {
      bucket: bucketRef,
      allowedLocations,
      polarisRoleArn: POLARIS_ROLE_ARN,
      ...(externalId === undefined ? {} : { externalId }),
    });

  it("reports every mistake as a ResourceError of the component", () => {
    expect(build("bad-type", [])).toThrow(pulumi.ResourceError);
  });

  it("refuses an empty location list", () => {
    expect(build("bad-empty", [])).toThrow(
      /allowedLocations is empty: give the catalog at least one location/,
    );
  });

  it("refuses a location outside the warehouse bucket", () => {
    expect(build("bad-bucket", ["s3://acme-warehouse/warehouse/", "s3://other-bucket/warehouse/"])).toThrow(
      /allowedLocations\[1\] "s3:\/\/other-bucket\/warehouse\/" is outside the warehouse bucket "acme-warehouse"/,
    );
  });

  it("refuses overlapping locations, and the same location twice", () => {
    expect(
      build("bad-overlap", [
        "s3://acme-warehouse/warehouse/demo/gold/",
        "s3://acme-warehouse/warehouse/demo/",
      ]),
    ).toThrow(
      /allowedLocations overlap: "s3:\/\/acme-warehouse\/warehouse\/demo\/" contains "s3:\/\/acme-warehouse\/warehouse\/demo\/gold\/"/,
    );
    expect(build("bad-twice", ["s3://acme-warehouse/a/", "s3://acme-warehouse/a/"])).toThrow(
      /allowedLocations overlap: "s3:\/\/acme-warehouse\/a\/" is listed twice/,
    );
    expect(build("bad-root", ["s3://acme-warehouse/", "s3://acme-warehouse/a/"])).toThrow(
      /allowedLocations overlap/,
    );
  });

  it("accepts siblings that only share a string prefix: they do not overlap", () => {
    expect(
      build("ok-siblings", ["s3://acme-warehouse/warehouse/demo/", "s3://acme-warehouse/warehouse/demo2/"]),
    ).not.toThrow();
  });

  it("refuses relative and non-s3 locations", () => {
    expect(build("bad-relative", ["warehouse/demo/"])).toThrow(
      /allowedLocations\[0\] "warehouse\/demo\/" is not an s3:\/\/<bucket>\/<prefix>\/ location: write it as a full URI, e.g. "s3:\/\/acme-warehouse\/warehouse\/demo\/"/,
    );
    expect(build("bad-scheme", ["s3a://acme-warehouse/warehouse/"])).toThrow(
      /allowedLocations\[0\] "s3a:\/\/acme-warehouse\/warehouse\/" is not an s3:\/\/<bucket>\/<prefix>\/ location: write it with the s3:\/\/ scheme/,
    );
    expect(build("bad-https", ["https://acme-warehouse.s3.amazonaws.com/warehouse/"])).toThrow(
      /allowedLocations\[0\] .* is not an s3:\/\/<bucket>\/<prefix>\/ location/,
    );
    expect(build("bad-nobucketslash", ["s3://acme-warehouse"])).toThrow(
      /allowedLocations\[0\] "s3:\/\/acme-warehouse" is not .*: end it with "\/"/,
    );
  });

  it("refuses a location without its trailing slash, which would also cover siblings", () => {
    expect(build("bad-slash", ["s3://acme-warehouse/warehouse/demo"])).toThrow(
      /allowedLocations\[0\] "s3:\/\/acme-warehouse\/warehouse\/demo" must end with "\/".*write "s3:\/\/acme-warehouse\/warehouse\/demo\/"/,
    );
  });

  it("refuses IAM wildcards and empty path segments in a location", () => {
    expect(build("bad-wildcard", ["s3://acme-warehouse/warehouse/*/"])).toThrow(
      /allowedLocations\[0\] "s3:\/\/acme-warehouse\/warehouse\/\*\/" contains characters that IAM would read as wildcards/,
    );
    expect(build("bad-variable", [`s3://acme-warehouse/\${aws:username}/`])).toThrow(/allowedLocations\[0\]/);
    expect(build("bad-double", ["s3://acme-warehouse/warehouse//demo/"])).toThrow(
      /allowedLocations\[0\] "s3:\/\/acme-warehouse\/warehouse\/\/demo\/" has an empty, "." or ".." path segment/,
    );
  });

  it("refuses an external id that STS would reject, naming the argument", () => {
    expect(build("bad-external-id", ["s3://acme-warehouse/w/"], "has spaces in it")).toThrow(
      /externalId must be 2-1224 letters, digits or/,
    );
  });
});
