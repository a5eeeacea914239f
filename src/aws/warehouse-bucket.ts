import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketGrantPolicy, tlsOnlyBucketPolicy } from "./policies";
import { checkBucketName, checkKeyPrefix } from "./s3-location";
import { validated } from "./validated";

/** S3 storage classes a lifecycle rule may move warehouse objects to. */
export type WarehouseStorageClass =
  | "STANDARD_IA"
  | "ONEZONE_IA"
  | "INTELLIGENT_TIERING"
  | "GLACIER_IR"
  | "GLACIER"
  | "DEEP_ARCHIVE";

/**
 * A lifecycle rule for the warehouse bucket.
 *
 * Iceberg tracks every data file in table metadata and removes files itself (snapshot expiry, orphan file
 * clean-up). Expiring or archiving *current* objects under a table location therefore breaks tables; the
 * safe rules for a warehouse are `noncurrentVersionExpirationDays` (clean up what Iceberg deleted, after a
 * grace period) and `abortIncompleteMultipartUploadDays`.
 */
export interface WarehouseLifecycleRule {
  /** Rule id, unique within the bucket. */
  readonly id: string;
  /** Apply the rule only to keys under this prefix ("a/b/"). @default the whole bucket */
  readonly prefix?: string;
  /** Turn the rule off without removing it. @default true */
  readonly enabled?: boolean;
  /** Days after which noncurrent (deleted or overwritten) versions are removed for good. @default never */
  readonly noncurrentVersionExpirationDays?: pulumi.Input<number>;
  /** Days after which unfinished multipart uploads are aborted and their parts removed. @default never */
  readonly abortIncompleteMultipartUploadDays?: pulumi.Input<number>;
  /** Days after which current versions expire (a delete marker is added). See the warning above. @default never */
  readonly expirationDays?: pulumi.Input<number>;
  /** Moves of current versions to cheaper storage classes. See the warning above. @default none */
  readonly transitions?: readonly {
    /** Days after an object's creation when it moves. */
    readonly days: pulumi.Input<number>;
    /** The storage class it moves to. */
    readonly storageClass: WarehouseStorageClass;
  }[];
}

/** Arguments of {@link WarehouseBucket}. */
export interface WarehouseBucketArgs {
  /**
   * The bucket's name. It is part of every catalog location (`s3://<bucketName>/...`), so it is a plain
   * string, checked while the program runs, and changing it replaces the bucket.
   */
  readonly bucketName: string;
  /**
   * A KMS key (ARN) for default encryption (SSE-KMS with an S3 bucket key). Its key policy must let the
   * account's IAM policies grant use of it (the default key policy does).
   * @default SSE-S3 (AES256, keys managed by S3)
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Lifecycle rules; see `WarehouseLifecycleRule` for which ones are safe under Iceberg tables. @default none */
  readonly lifecycleRules?: readonly WarehouseLifecycleRule[];
  /**
   * Keep the bucket, its data and its protections (public access block, encryption, versioning, TLS-only
   * policy) in AWS when the component is deleted or the stack destroyed; Pulumi only forgets them.
   * @default true
   */
  readonly retainOnDelete?: boolean;
  /**
   * Let a delete empty the bucket first (all objects and versions). Only matters with
   * `retainOnDelete: false`; meant for throw-away test stacks.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/** The parts of a bucket that catalog roles and grants are written from; a `WarehouseBucket` is one. */
export interface WarehouseBucketReference {
  /** The bucket's name, known while the program runs (locations are validated against it). */
  readonly bucketName: string;
  /** The bucket's ARN; depending on it orders the bucket before the roles that use it. */
  readonly arn: pulumi.Input<string>;
  /** The bucket's default KMS key, if it has one. */
  readonly kmsKeyArn?: pulumi.Input<string> | undefined;
}

/**
 * An S3 bucket for an Iceberg warehouse with secure defaults: all public access blocked, default encryption
 * (SSE-S3, or SSE-KMS with a bucket key), versioning, a bucket policy that refuses requests without TLS, and
 * retained when deleted.
 *
 * `grantRead` / `grantReadWrite` give other roles (Spark jobs, backup tools) least-privilege access to a
 * prefix. Polaris' vended credentials come from a `CatalogStorageRole` instead.
 */
export class WarehouseBucket extends pulumi.ComponentResource implements WarehouseBucketReference {
  readonly bucketName: string;
  /** The S3 bucket itself, for settings this component does not cover. */
  readonly bucket: aws.s3.Bucket;
  readonly arn: pulumi.Output<string>;
  /** The default KMS key; undefined for SSE-S3. */
  readonly kmsKeyArn: pulumi.Output<string> | undefined;
  /** Whether the bucket and its configuration are kept in AWS when the component is deleted. */
  readonly retainOnDelete: boolean;

  private readonly componentName: string;
  private readonly dnsSuffix: pulumi.Output<string>;

  constructor(name: string, args: WarehouseBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("polaris:aws:WarehouseBucket", name, {}, opts);
    this.componentName = name;

    validated(this, () => checkBucketName(args.bucketName, "bucketName"));
    const lifecycleRules = args.lifecycleRules ?? [];
    validated(this, () => {
      for (const [index, rule] of lifecycleRules.entries()) {
        if (rule.prefix !== undefined) checkKeyPrefix(rule.prefix, `lifecycleRules[${index}].prefix`);
      }
    });
    for (const [index, rule] of lifecycleRules.entries()) {
      const hasAction =
        rule.noncurrentVersionExpirationDays !== undefined ||
        rule.abortIncompleteMultipartUploadDays !== undefined ||
        rule.expirationDays !== undefined ||
        (rule.transitions?.length ?? 0) > 0;
      if (!hasAction) {
        throw new pulumi.ResourceError(
          `lifecycleRules[${index}] ("${rule.id}") has no action: set noncurrentVersionExpirationDays, ` +
            "abortIncompleteMultipartUploadDays, expirationDays or transitions",
          this,
        );
      }
    }

    this.bucketName = args.bucketName;
    this.retainOnDelete = args.retainOnDelete ?? true;
    // Every configuration child is retained with the bucket: a retained bucket whose public access block,
    // encryption or TLS policy were deleted would be less protected than before the destroy.
    const childOpts = { parent: this, retainOnDelete: this.retainOnDelete };

    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { bucket: args.bucketName, forceDestroy: args.forceDestroy ?? false },
      childOpts,
    );
    const bucketId = this.bucket.bucket;

    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      {
        bucket: bucketId,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      childOpts,
    );

    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucketId,
        rules: [
          args.kmsKeyArn === undefined
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
            : {
                applyServerSideEncryptionByDefault: {
                  sseAlgorithm: "aws:kms",
                  kmsMasterKeyId: args.kmsKeyArn,
                },
                // One data key per bucket instead of one KMS call per object: cheaper and not throttled.
                bucketKeyEnabled: true,
              },
        ],
      },
      childOpts,
    );

    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucketId, versioningConfiguration: { status: "Enabled" } },
      childOpts,
    );

    // After the public access block: S3 refuses concurrent changes to a bucket's access settings.
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      { bucket: bucketId, policy: this.bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) },
      { ...childOpts, dependsOn: [publicAccessBlock] },
    );

    if (lifecycleRules.length > 0) {
      // After versioning: rules on noncurrent versions need a versioned bucket.
      new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        { bucket: bucketId, rules: lifecycleRules.map(toLifecycleRule) },
        { ...childOpts, dependsOn: [versioning] },
      );
    }

    this.arn = this.bucket.arn;
    this.kmsKeyArn = args.kmsKeyArn === undefined ? undefined : pulumi.output(args.kmsKeyArn);
    this.dnsSuffix = aws.getPartitionOutput({}, { parent: this }).dnsSuffix;

    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn, kmsKeyArn: this.kmsKeyArn });
  }

  /**
   * Lets `role` read objects under `prefix` (and list inside it, and decrypt with the bucket's key), through
   * an inline policy named `<bucket component name>-<name>`.
   *
   * @param name   Distinguishes this grant among the bucket's grants; keep it stable (a new name replaces it).
   * @param role   The role, or its name.
   * @param prefix Key prefix such as "warehouse/demo/". @default "" (the whole bucket)
   */
  grantRead(name: string, role: aws.iam.Role | pulumi.Input<string>, prefix = ""): aws.iam.RolePolicy {
    return this.grant(name, role, prefix, false);
  }

  /**
   * Lets `role` read, write and delete objects under `prefix` (plus listing inside it, aborting its own
   * multipart uploads and using the bucket's key), through an inline policy named
   * `<bucket component name>-<name>`. Deleting adds a delete marker; old versions stay until lifecycle
   * rules remove them.
   *
   * @param name   Distinguishes this grant among the bucket's grants; keep it stable (a new name replaces it).
   * @param role   The role, or its name.
   * @param prefix Key prefix such as "warehouse/demo/". @default "" (the whole bucket)
   */
  grantReadWrite(name: string, role: aws.iam.Role | pulumi.Input<string>, prefix = ""): aws.iam.RolePolicy {
    return this.grant(name, role, prefix, true);
  }

  private grant(
    name: string,
    role: aws.iam.Role | pulumi.Input<string>,
    prefix: string,
    write: boolean,
  ): aws.iam.RolePolicy {
    validated(this, () => checkKeyPrefix(prefix, "prefix"));
    const policy = pulumi
      .all([this.arn, this.kmsKeyArn, this.dnsSuffix])
      .apply(([bucketArn, kmsKeyArn, dnsSuffix]) =>
        JSON.stringify(bucketGrantPolicy({ bucketArn, prefixes: [prefix], kmsKeyArn, dnsSuffix, write })),
      );
    // A role's id is its name; passing the name keeps the attachment readable in diffs.
    const roleName = role instanceof aws.iam.Role ? role.id : role;
    return new aws.iam.RolePolicy(
      `${this.componentName}-${name}`,
      { role: roleName, policy },
      { parent: this },
    );
  }
}

function toLifecycleRule(rule: WarehouseLifecycleRule): aws.types.input.s3.BucketLifecycleConfigurationRule {
  return {
    id: rule.id,
    status: rule.enabled === false ? "Disabled" : "Enabled",
    filter: rule.prefix === undefined ? {} : { prefix: rule.prefix },
    ...(rule.noncurrentVersionExpirationDays === undefined
      ? {}
      : { noncurrentVersionExpiration: { noncurrentDays: rule.noncurrentVersionExpirationDays } }),
    ...(rule.abortIncompleteMultipartUploadDays === undefined
      ? {}
      : { abortIncompleteMultipartUpload: { daysAfterInitiation: rule.abortIncompleteMultipartUploadDays } }),
    ...(rule.expirationDays === undefined ? {} : { expiration: { days: rule.expirationDays } }),
    ...(rule.transitions === undefined || rule.transitions.length === 0
      ? {}
      : { transitions: rule.transitions.map((t) => ({ days: t.days, storageClass: t.storageClass })) }),
  };
}
