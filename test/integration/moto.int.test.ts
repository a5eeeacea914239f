import { describe, expect, it } from "vitest";
import { awsProbe } from "../support/sandbox";

// The sandbox's S3/IAM/STS emulator, driven by boto3 as pyiceberg and users drive it.
describe("moto in the sandbox serves S3, IAM and STS on one loopback port", () => {
  const suffix = `${process.pid}-${Date.now()}`;

  it("stores and returns an object", async () => {
    const result = await awsProbe<{ body: string; keys: string[] }>({
      op: "s3_roundtrip",
      bucket: `warehouse-${suffix}`,
      key: "demo/bronze/hello.txt",
      body: "hello iceberg",
    });
    expect(result.body).toBe("hello iceberg");
    expect(result.keys).toEqual(["demo/bronze/hello.txt"]);
  });

  it("creates an IAM role under the catalog path and vends STS credentials for it", async () => {
    const role = await awsProbe<{ arn: string; fetchedArn: string; path: string }>({
      op: "iam_create_role",
      name: `polaris-catalog-${suffix}`,
      path: "/polaris/catalog/",
      trust: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::123456789012:role/polaris-service" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "sts:ExternalId": "external-id" } },
          },
        ],
      },
    });
    expect(role.arn).toMatch(/^arn:aws:iam::\d{12}:role\/polaris\/catalog\/polaris-catalog-/);
    expect(role.fetchedArn).toBe(role.arn);
    expect(role.path).toBe("/polaris/catalog/");

    const session = await awsProbe<{
      accessKeyId: string;
      hasSecret: boolean;
      hasSessionToken: boolean;
      expiration: string;
    }>({ op: "sts_assume_role", roleArn: role.arn, session: "polaris", externalId: "external-id" });
    expect(session.accessKeyId).toMatch(/^ASIA/);
    expect(session.hasSecret).toBe(true);
    expect(session.hasSessionToken).toBe(true);
    const minutesLeft = (Date.parse(session.expiration) - Date.now()) / 60_000;
    expect(minutesLeft).toBeGreaterThan(10);
    expect(minutesLeft).toBeLessThanOrEqual(15);
  });
});
