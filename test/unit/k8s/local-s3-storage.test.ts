import { Deployment } from "kubernetes-models/apps/v1";
import { Secret, Service } from "kubernetes-models/v1";
import { beforeAll, describe, expect, it } from "vitest";
import type * as LocalS3StorageModule from "../../../src/k8s/local-s3-storage";
import type { LocalS3Storage as LocalS3StorageType } from "../../../src/k8s/local-s3-storage";
import { isSecret, type Json, outputValue, recordResources } from "../../support/mocks";
import { restrictedViolations } from "./pod-security-standard";

type Recorder = Awaited<ReturnType<typeof recordResources>>;
let recorder: Recorder;
let LocalS3Storage: typeof LocalS3StorageType;
let emulatorPodSecurityLevel: typeof LocalS3StorageModule.emulatorPodSecurityLevel;

beforeAll(async () => {
  recorder = await recordResources();
  ({ LocalS3Storage, emulatorPodSecurityLevel } = await import("../../../src/k8s/local-s3-storage"));
});

const byName = (name: string) => recorder.registered.filter((r) => r.name.startsWith(name));

describe("LocalS3Storage with the token-free moto emulator", () => {
  let storage: LocalS3StorageType;
  beforeAll(async () => {
    storage = new LocalS3Storage("local", { namespace: "polaris", bucketName: "warehouse" });
    await outputValue(storage.catalogStorage);
  });

  it("registers a Secret, a Deployment, a Service, an aws.Provider and the bucket through it", () => {
    const types = byName("local-")
      .map((r) => r.type)
      .sort();
    expect(types).toEqual([
      "aws:s3/bucket:Bucket",
      "kubernetes:apps/v1:Deployment",
      "kubernetes:core/v1:Secret",
      "kubernetes:core/v1:Service",
      "pulumi:providers:aws",
    ]);
    const bucket = recorder.one("aws:s3/bucket:Bucket", "local-bucket");
    expect(bucket.inputs.bucket).toBe("warehouse");
    expect(bucket.provider, "the bucket is created in the emulator, not in AWS").toMatch(
      /pulumi:providers:aws::local-aws::/,
    );
  });

  it("points the aws provider at the emulator: path-style, no credential or account lookups", () => {
    const provider = recorder.one("pulumi:providers:aws", "local-aws").inputs;
    expect(provider.s3UsePathStyle).toBe("true");
    expect(provider.skipCredentialsValidation).toBe("true");
    expect(provider.skipRequestingAccountId).toBe("true");
    expect(provider.skipMetadataApiCheck).toBe("true");
    const endpoints = JSON.parse(String(provider.endpoints));
    expect(endpoints).toEqual([
      { s3: "http://localhost:5000", iam: "http://localhost:5000", sts: "http://localhost:5000" },
    ]);
  });

  it("gives Polaris the in-cluster endpoint and clients the external one", async () => {
    expect(await outputValue(storage.catalogStorage)).toEqual({
      storageType: "S3",
      region: "us-east-1",
      endpoint: "http://localhost:5000",
      endpointInternal: "http://local-s3.polaris.svc.cluster.local:5000",
      pathStyleAccess: true,
      stsUnavailable: true,
      allowedLocations: ["s3://warehouse/"],
    });
  });

  it("exports the static credentials only as secrets", async () => {
    expect(await isSecret(storage.accessKeyId)).toBe(true);
    expect(await isSecret(storage.secretAccessKey)).toBe(true);
    const deployment = recorder.one("kubernetes:apps/v1:Deployment", "local-s3").inputs as Json;
    const env = deployment.spec.template.spec.containers[0].env as { name: string; value?: string }[];
    expect(
      env.find((e) => e.name === "AWS_SECRET_ACCESS_KEY")?.value,
      "read from the Secret, not inline",
    ).toBeUndefined();
  });

  it("runs moto as a non-root user, so its pod meets the restricted Pod Security Standard", () => {
    const pod = (recorder.one("kubernetes:apps/v1:Deployment", "local-s3").inputs as Json).spec.template.spec;
    expect(pod.securityContext).toEqual({
      seccompProfile: { type: "RuntimeDefault" },
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
    });
    expect(restrictedViolations(pod)).toEqual([]);
    expect(emulatorPodSecurityLevel("moto")).toBe("restricted");
  });

  it("produces Kubernetes objects that validate against the upstream schemas", () => {
    const objects = [
      new Deployment({ ...(recorder.one("kubernetes:apps/v1:Deployment", "local-s3").inputs as Json) }),
      new Service({ ...(recorder.one("kubernetes:core/v1:Service", "local-s3").inputs as Json) }),
      new Secret({ ...(recorder.one("kubernetes:core/v1:Secret", "local-credentials").inputs as Json) }),
    ];
    // The models' declarations do not resolve under CommonJS type resolution; validate() is there at run time.
    for (const object of objects)
      expect(() => (object as unknown as { validate(): void }).validate()).not.toThrow();
  });
});

describe("LocalS3Storage with LocalStack", () => {
  it("takes the auth token from a Secret and refuses to start without one", async () => {
    const storage = new LocalS3Storage("ls", {
      emulator: "localstack",
      localstackAuthToken: "ls-token-value",
    });
    await outputValue(storage.catalogStorage);
    const deployment = recorder.one("kubernetes:apps/v1:Deployment", "ls-s3").inputs as Json;
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toMatch(/^localstack\/localstack:/);
    const tokenEnv = container.env.find((e: { name: string }) => e.name === "LOCALSTACK_AUTH_TOKEN");
    expect(tokenEnv.valueFrom.secretKeyRef.key).toBe("LOCALSTACK_AUTH_TOKEN");
    expect(JSON.stringify(deployment)).not.toContain("ls-token-value");
    expect(await outputValue(storage.endpoint)).toBe("http://localhost:4566");

    expect(() => new LocalS3Storage("ls-missing", { emulator: "localstack" })).toThrow(
      /localstackAuthToken is required/,
    );
  });

  it("runs LocalStack as root (its image starts no other way), so it needs a baseline namespace", () => {
    const pod = (recorder.one("kubernetes:apps/v1:Deployment", "ls-s3").inputs as Json).spec.template.spec;
    expect(restrictedViolations(pod)).toEqual(["container localstack: runAsNonRoot is not true"]);
    expect(emulatorPodSecurityLevel("localstack")).toBe("baseline");
  });

  it("refuses an invalid bucket name, naming the argument", () => {
    expect(() => new LocalS3Storage("bad", { bucketName: "Warehouse_1" })).toThrow(
      /bucketName "Warehouse_1"/,
    );
  });
});

describe("LocalS3Storage secrets", () => {
  it("keeps the LocalStack token and the static keys out of every input in plain text", async () => {
    const storage = new LocalS3Storage("leak", {
      emulator: "localstack",
      localstackAuthToken: "leak-token-value",
      secretAccessKey: "leak-secret-key",
    });
    await outputValue(storage.catalogStorage);
    const everything = JSON.stringify(byName("leak-").map((r) => r.redactedInputs));
    expect(everything).not.toContain("leak-token-value");
    expect(everything).not.toContain("leak-secret-key");
    const secret = byName("leak-credentials")[0]!;
    expect(secret.inputs.stringData).toMatchObject({ LOCALSTACK_AUTH_TOKEN: "leak-token-value" });
  });
});
