import { awsProbe, sharedInstance } from "./sandbox";

/** A bucket and a vending role on the sandbox's moto, as a platform team would prepare them for a catalog. */
export async function motoWarehouse(
  bucket: string,
  instance = sharedInstance,
): Promise<{ bucket: string; roleArn: string }> {
  await awsProbe({ op: "s3_create_bucket", bucket }, instance);
  const role = await awsProbe<{ arn: string }>(
    {
      op: "iam_create_role",
      name: `${bucket}-vending`,
      path: "/polaris/catalog/",
      trust: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
      },
    },
    instance,
  );
  return { bucket, roleArn: role.arn };
}
