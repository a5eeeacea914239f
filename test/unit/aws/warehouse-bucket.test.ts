import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { WarehouseBucket as WarehouseBucketType } from "../../../src/aws/warehouse-bucket";
import { constructCapturingChildren, recordResources, outputValue as resolved } from "../../support/mocks";
import { settled } from "./support/settle";
import { ACCOUNT, decide, parsePolicy } from "./support/simulate";

type Recorder = Awaited<ReturnType<typeof recordResources>>;
let recorder: Recorder;
let WarehouseBucket: typeof WarehouseBucketType;

beforeAll(async () => {
  recorder = await recordResources();
  ({ WarehouseBucket } = await import("../../../src/aws/warehouse-bucket"));
});

const T = {
  bucket: "aws:s3/bucket:Bucket",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};

/**
 * Builds a WarehouseBucket and records the options every child is registered with: the mocked engine does
 * not see resource options such as retainOnDelete, but a transformation on the component sees them all.
 */
function buildBucket(name: string, args: ConstructorParameters<typeof WarehouseBucketType>[1]) {
  return constructCapturingChildren((opts) => new WarehouseBucket(name, args, opts));
}

const inputsOf = (type: string, name: string) => recorder.one(type, name).inputs;

describe("WarehouseBucket with the defaults", () => {
  let built: ReturnType<typeof buildBucket>;
  beforeAll(async () => {
    built = buildBucket("plain", { bucketName: "acme-warehouse" });
    await settled(() => recorder.registered.length);
  });

  it("registers the bucket and its five protections, named after the component and parented to it", () => {
    const children = recorder.registered
      .filter((r) => r.name.startsWith("plain-"))
      .map((r) => `${r.type} ${r.name}`)
      .sort();
    expect(children).toEqual(
      [
        `${T.bucket} plain-bucket`,
        `${T.publicAccessBlock} plain-public-access-block`,
        `${T.encryption} plain-encryption`,
        `${T.versioning} plain-versioning`,
        `${T.policy} plain-tls-only`,
      ].sort(),
    );
    expect(built.children).toHaveLength(5);
    for (const child of built.children) expect(child.opts.parent, child.name).toBe(built.component);
  });

  it("names the bucket as given, attaches every protection to it, and does not force-destroy it", () => {
    expect(inputsOf(T.bucket, "plain-bucket")).toEqual({ bucket: "acme-warehouse", forceDestroy: false });
    for (const [type, name] of [
      [T.publicAccessBlock, "plain-public-access-block"],
      [T.encryption, "plain-encryption"],
      [T.versioning, "plain-versioning"],
      [T.policy, "plain-tls-only"],
    ] as const) {
      expect(inputsOf(type, name).bucket, name).toBe("acme-warehouse");
    }
    expect(built.component.bucketName).toBe("acme-warehouse");
  });

  it("blocks all public access, encrypts with SSE-S3 and turns versioning on", () => {
    expect(inputsOf(T.publicAccessBlock, "plain-public-access-block")).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(inputsOf(T.encryption, "plain-encryption").rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    expect(inputsOf(T.versioning, "plain-versioning").versioningConfiguration).toEqual({ status: "Enabled" });
    expect(built.component.kmsKeyArn).toBeUndefined();
  });

  it("retains the bucket and every protection on delete, so a destroyed stack leaves a protected bucket", () => {
    expect(built.component.retainOnDelete).toBe(true);
    for (const child of built.children) expect(child.opts.retainOnDelete, child.name).toBe(true);
  });

  it("registers no lifecycle configuration when no rules are given", () => {
    expect(recorder.ofType(T.lifecycle).filter((r) => r.name.startsWith("plain-"))).toEqual([]);
  });

  it("writes a bucket policy that denies s3:* without TLS on the bucket and its objects", () => {
    const policy = parsePolicy(inputsOf(T.policy, "plain-tls-only").policy);
    expect(policy.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::acme-warehouse", "arn:aws:s3:::acme-warehouse/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("makes AWS refuse plain-HTTP requests even from an identity allowed everything", async () => {
    const bucketPolicy = parsePolicy(inputsOf(T.policy, "plain-tls-only").policy);
    const admin = {
      Version: "2012-10-17" as const,
      Statement: [{ Effect: "Allow" as const, Action: "s3:*", Resource: "*" }],
    };
    const request = (action: string, resource: string, secure: boolean) =>
      decide(
        { identity: [admin], resource: bucketPolicy },
        {
          principal: `arn:aws:iam::${ACCOUNT}:role/admin`,
          action,
          resource,
          context: { "aws:SecureTransport": String(secure) },
        },
      );
    const object = "arn:aws:s3:::acme-warehouse/warehouse/demo/t/data.parquet";
    expect(await request("s3:GetObject", object, true)).toBe("Allowed");
    expect(await request("s3:GetObject", object, false)).toBe("ExplicitlyDenied");
    expect(await request("s3:PutObject", object, false)).toBe("ExplicitlyDenied");
    expect(await request("s3:ListBucket", "arn:aws:s3:::acme-warehouse", false)).toBe("ExplicitlyDenied");
  });
});

describe("WarehouseBucket options", () => {
  it("encrypts with the given KMS key and an S3 bucket key", async () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1111-2222";
    const { component } = buildBucket("kms", { bucketName: "acme-kms", kmsKeyArn: key });
    await settled(() => recorder.registered.length);
    expect(inputsOf(T.encryption, "kms-encryption").rules).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key },
        bucketKeyEnabled: true,
      },
    ]);
    expect(await resolved(component.kmsKeyArn!)).toBe(key);
  });

  it("lets a throw-away stack opt out of retention and force-destroy the bucket", async () => {
    const { component, children } = buildBucket("temp", {
      bucketName: "acme-temp",
      retainOnDelete: false,
      forceDestroy: true,
    });
    await settled(() => recorder.registered.length);
    expect(component.retainOnDelete).toBe(false);
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) expect(child.opts.retainOnDelete, child.name).toBe(false);
    expect(inputsOf(T.bucket, "temp-bucket").forceDestroy).toBe(true);
  });

  it("adds a lifecycle configuration, after versioning, only when rules are given", async () => {
    const { children } = buildBucket("life", {
      bucketName: "acme-life",
      lifecycleRules: [
        {
          id: "clean-noncurrent",
          noncurrentVersionExpirationDays: 30,
          abortIncompleteMultipartUploadDays: 7,
        },
        {
          id: "archive-exports",
          prefix: "exports/",
          enabled: false,
          transitions: [{ days: 90, storageClass: "GLACIER_IR" }],
          expirationDays: 365,
        },
      ],
    });
    await settled(() => recorder.registered.length);
    expect(inputsOf(T.lifecycle, "life-lifecycle").rules).toEqual([
      {
        id: "clean-noncurrent",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
      {
        id: "archive-exports",
        status: "Disabled",
        filter: { prefix: "exports/" },
        expiration: { days: 365 },
        transitions: [{ days: 90, storageClass: "GLACIER_IR" }],
      },
    ]);
    const lifecycle = children.find((c) => c.name === "life-lifecycle")!;
    const versioning = children.find((c) => c.name === "life-versioning")!;
    expect(lifecycle.opts.dependsOn).toEqual([versioning.resource]);
    expect(lifecycle.opts.retainOnDelete).toBe(true);
  });
});

describe("WarehouseBucket bad input", () => {
  it("refuses an invalid bucket name, naming the argument", () => {
    const attempt = () => new WarehouseBucket("bad-name", { bucketName: "Acme_Warehouse" });
    expect(attempt).toThrow(pulumi.ResourceError);
    expect(attempt).toThrow(/bucketName "Acme_Warehouse" is not a valid S3 bucket name/);
  });

  it("refuses a lifecycle rule without an action, naming the rule", () => {
    expect(
      () =>
        new WarehouseBucket("bad-rule", { bucketName: "acme-bad-rule", lifecycleRules: [{ id: "nothing" }] }),
    ).toThrow(/lifecycleRules\[0\] \("nothing"\) has no action/);
  });

  it("refuses a lifecycle prefix without a trailing slash, naming the argument", () => {
    expect(
      () =>
        new WarehouseBucket("bad-prefix", {
          bucketName: "acme-bad-prefix",
          lifecycleRules: [{ id: "x", prefix: "exports", expirationDays: 1 }],
        }),
    ).toThrow(/lifecycleRules\[0\]\.prefix "exports" must end with "\/"/);
  });
});

describe("WarehouseBucket grants", () => {
  let bucket: WarehouseBucketType;
  let readWritePolicy: ReturnType<typeof parsePolicy>;
  let readPolicy: ReturnType<typeof parsePolicy>;
  beforeAll(async () => {
    bucket = new WarehouseBucket("grants", { bucketName: "acme-grants" });
    const spark = new aws.iam.Role("spark", { name: "spark", assumeRolePolicy: "{}" });
    const readWrite = bucket.grantReadWrite("spark-demo", spark, "warehouse/demo/");
    const read = bucket.grantRead("auditor", "auditor-role");
    await Promise.all([resolved(readWrite.policy), resolved(read.policy)]);
    readWritePolicy = parsePolicy(inputsOf(T.rolePolicy, "grants-spark-demo").policy);
    readPolicy = parsePolicy(inputsOf(T.rolePolicy, "grants-auditor").policy);
  });

  it("attaches one inline policy per grant to the named role", () => {
    expect(inputsOf(T.rolePolicy, "grants-spark-demo").role).toBe("spark");
    expect(inputsOf(T.rolePolicy, "grants-auditor").role).toBe("auditor-role");
  });

  const as = (policy: ReturnType<typeof parsePolicy>, action: string, resource: string, prefix?: string) =>
    decide(
      { identity: [policy] },
      {
        principal: `arn:aws:iam::${ACCOUNT}:role/spark`,
        action,
        resource,
        context: prefix === undefined ? {} : { "s3:prefix": prefix },
      },
    );

  it("grantReadWrite reaches objects under its prefix and nothing beside it", async () => {
    const inside = "arn:aws:s3:::acme-grants/warehouse/demo/t/data.parquet";
    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]) {
      expect(await as(readWritePolicy, action, inside), action).toBe("Allowed");
    }
    expect(await as(readWritePolicy, "s3:DeleteObjectVersion", inside)).toBe("ImplicitlyDenied");
    expect(await as(readWritePolicy, "s3:PutObject", "arn:aws:s3:::acme-grants/warehouse/demo2/x")).toBe(
      "ImplicitlyDenied",
    );
    expect(await as(readWritePolicy, "s3:GetObject", "arn:aws:s3:::other-bucket/warehouse/demo/x")).toBe(
      "ImplicitlyDenied",
    );
    expect(await as(readWritePolicy, "s3:ListBucket", "arn:aws:s3:::acme-grants", "warehouse/demo/")).toBe(
      "Allowed",
    );
    expect(await as(readWritePolicy, "s3:ListBucket", "arn:aws:s3:::acme-grants", "warehouse/")).toBe(
      "ImplicitlyDenied",
    );
  });

  it("grantRead without a prefix reads the whole bucket but cannot write", async () => {
    expect(await as(readPolicy, "s3:GetObject", "arn:aws:s3:::acme-grants/any/key")).toBe("Allowed");
    expect(await as(readPolicy, "s3:ListBucket", "arn:aws:s3:::acme-grants")).toBe("Allowed");
    expect(await as(readPolicy, "s3:PutObject", "arn:aws:s3:::acme-grants/any/key")).toBe("ImplicitlyDenied");
    expect(await as(readPolicy, "s3:DeleteObject", "arn:aws:s3:::acme-grants/any/key")).toBe(
      "ImplicitlyDenied",
    );
  });

  it("lets readers decrypt with the bucket's KMS key through S3, and only writers encrypt with it", async () => {
    const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/3333-4444`;
    const kmsBucket = new WarehouseBucket("kms-grants", { bucketName: "acme-kms-grants", kmsKeyArn: key });
    const read = kmsBucket.grantRead("reader", "reader-role");
    const write = kmsBucket.grantReadWrite("writer", "writer-role");
    await Promise.all([resolved(read.policy), resolved(write.policy)]);
    // KMS also needs the key policy to allow; the default one leaves the decision to IAM policies.
    const defaultKeyPolicy = {
      Version: "2012-10-17" as const,
      Statement: [
        {
          Effect: "Allow" as const,
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    };
    const kms = (grant: string, action: string) =>
      decide(
        {
          identity: [parsePolicy(inputsOf(T.rolePolicy, `kms-grants-${grant}`).policy)],
          resource: defaultKeyPolicy,
        },
        {
          principal: `arn:aws:iam::${ACCOUNT}:role/${grant}-role`,
          action,
          resource: key,
          context: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
        },
      );
    expect(await kms("reader", "kms:Decrypt")).toBe("Allowed");
    expect(await kms("reader", "kms:GenerateDataKey")).toBe("ImplicitlyDenied");
    expect(await kms("reader", "kms:Encrypt")).toBe("ImplicitlyDenied");
    expect(await kms("writer", "kms:GenerateDataKey")).toBe("Allowed");
    expect(await kms("writer", "kms:Decrypt")).toBe("Allowed");
  });

  it("refuses grant prefixes that IAM would read differently from S3, naming the argument", () => {
    expect(() => bucket.grantRead("sloppy", "r", "warehouse/demo")).toThrow(
      /prefix "warehouse\/demo" must end with "\/"/,
    );
    expect(() => bucket.grantRead("rooted", "r", "/warehouse/")).toThrow(
      /prefix "\/warehouse\/" starts with "\/": S3 keys have no leading slash, write "warehouse\/"/,
    );
    expect(() => bucket.grantRead("escape", "r", "warehouse/../secrets/")).toThrow(
      /prefix "warehouse\/..\/secrets\/" has an empty, "." or ".." path segment/,
    );
    expect(() => bucket.grantRead("wild", "r", "warehouse/*/")).toThrow(
      /prefix "warehouse\/\*\/" contains characters/,
    );
  });
});
