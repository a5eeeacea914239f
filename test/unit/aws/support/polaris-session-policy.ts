import type { PolicyDocument, PolicyStatement } from "../../../../src/aws/policies";

/**
 * The session policy Polaris attaches when it assumes a catalog role to vend credentials for one table,
 * modelled on Polaris' AwsCredentialsStorageIntegration: GetObject/GetObjectVersion on every location,
 * PutObject/DeleteObject on the write locations, ListBucket limited by s3:prefix, GetBucketLocation.
 *
 * Locations are `s3://bucket/path` as Polaris stores table locations (with or without a trailing slash).
 */
export function polarisSessionPolicy(options: {
  readLocations: string[];
  writeLocations?: string[];
  allowList?: boolean;
}): PolicyDocument {
  const { readLocations, writeLocations = [], allowList = true } = options;
  const parse = (uri: string) => {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (!match) throw new Error(`not an s3 location: ${uri}`);
    const path = (match[2] ?? "").replace(/\/+$/, "");
    return { bucketArn: `arn:aws:s3:::${match[1]}`, path };
  };
  const objects = (uri: string) => {
    const { bucketArn, path } = parse(uri);
    return path === "" ? `${bucketArn}/*` : `${bucketArn}/${path}/*`;
  };
  const all = [...new Set([...readLocations, ...writeLocations])];
  const buckets = [...new Set(all.map((uri) => parse(uri).bucketArn))];

  const statements: PolicyStatement[] = [];
  if (writeLocations.length > 0) {
    statements.push({
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: writeLocations.map(objects),
    });
  }
  if (allowList) {
    for (const bucketArn of buckets) {
      const prefixes = all
        .filter((uri) => parse(uri).bucketArn === bucketArn)
        .map((uri) => `${parse(uri).path}/*`);
      statements.push({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucketArn,
        Condition: { StringLike: { "s3:prefix": prefixes } },
      });
    }
  }
  for (const bucketArn of buckets) {
    statements.push({ Effect: "Allow", Action: "s3:GetBucketLocation", Resource: bucketArn });
  }
  statements.push({
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:GetObjectVersion"],
    Resource: all.map(objects),
  });
  return { Version: "2012-10-17", Statement: statements };
}
