import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ArgumentError } from "./argument-error";
import { CATALOG_ROLE_PATH, catalogStoragePolicy, catalogTrustPolicy } from "./policies";
import { checkAllowedLocations } from "./s3-location";
import { validated } from "./validated";
import type { WarehouseBucketReference } from "./warehouse-bucket";

/** Arguments of {@link CatalogStorageRole}. */
export interface CatalogStorageRoleArgs {
  /** The bucket the catalog keeps its tables in: a `WarehouseBucket`, or an existing bucket described by hand. */
  readonly bucket: WarehouseBucketReference;
  /**
   * The catalog's allowed locations, each `s3://<bucket>/<prefix>/` inside `bucket`, none inside another.
   * The role may touch objects under these locations only. Plain strings: they are checked while the
   * program runs, so a mistake stops `pulumi preview` with a message instead of producing a wrong policy.
   */
  readonly allowedLocations: readonly string[];
  /** ARN of the role Polaris itself runs as (`PolarisServiceIdentity.roleArn`): the only principal trusted. */
  readonly polarisRoleArn: pulumi.Input<string>;
  /**
   * The external id Polaris must present when it assumes the role (the catalog's `storageConfigInfo.externalId`).
   * Polaris refuses to change it on an existing catalog, so keep it stable.
   * @default 48 random letters and digits, generated once and kept in state
   */
  readonly externalId?: pulumi.Input<string>;
  /** The role's IAM description. @default "Apache Polaris assumes this role to vend credentials for catalog storage <name>" */
  readonly description?: pulumi.Input<string>;
}

/** The non-secret part of a Polaris catalog's AWS `storageConfigInfo`. */
export interface AwsCatalogStorage {
  /** Always S3. */
  storageType: "S3";
  /** The storage role Polaris assumes. */
  roleArn: string;
  /** The region of the component's AWS provider. */
  region: string;
  /** The catalog's allowed locations, as given to the role. */
  allowedLocations: string[];
  /** The KMS key Polaris puts into vended session policies, so that writes can encrypt. */
  currentKmsKey?: string;
  /** The KMS keys vended sessions may decrypt with: the bucket's key, if it has one. */
  allowedKmsKeys?: string[];
}

// STS accepts 2-1224 of these characters as an external id.
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/**
 * The IAM role Polaris assumes to vend short-lived credentials for one catalog.
 *
 * It lives under the IAM path `/polaris/catalog/`, where `PolarisServiceIdentity` may assume any role, so a
 * new catalog needs no change to Polaris' identity. Its trust policy accepts only Polaris' role with the
 * catalog's external id; its permission policy covers exactly the catalog's allowed locations. Polaris adds a
 * session policy for one table's location on every vended credential.
 *
 * Sessions are role-chained (IRSA, then this role), which AWS caps at one hour: vended credentials live at
 * most 3600 seconds whatever Polaris asks for.
 */
export class CatalogStorageRole extends pulumi.ComponentResource {
  /** The IAM role, under the path `/polaris/catalog/`. */
  readonly role: aws.iam.Role;
  /** The role's ARN: the catalog's `storageConfigInfo.roleArn`. */
  readonly roleArn: pulumi.Output<string>;
  /** The role's name. */
  readonly roleName: pulumi.Output<string>;
  /** The external id, as a secret. Give it to the catalog's `storageConfigInfo.externalId`. */
  readonly externalId: pulumi.Output<string>;
  /** The validated allowed locations, as given. */
  readonly allowedLocations: string[];
  /** The catalog's `storageConfigInfo` without the external id, which is kept apart as a secret. */
  readonly catalogStorage: pulumi.Output<AwsCatalogStorage>;

  constructor(name: string, args: CatalogStorageRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("polaris:aws:CatalogStorageRole", name, {}, opts);

    const locations = validated(this, () =>
      checkAllowedLocations(args.allowedLocations, args.bucket.bucketName, "allowedLocations"),
    );
    if (typeof args.externalId === "string") {
      const given = args.externalId;
      validated(this, () => {
        if (!EXTERNAL_ID.test(given)) {
          throw new ArgumentError(
            "externalId",
            "externalId must be 2-1224 letters, digits or +=,.@:/-_ (what STS accepts); " +
              "omit it to have a random one generated",
          );
        }
      });
    }

    const externalId = pulumi.secret(
      args.externalId ??
        new random.RandomPassword(`${name}-external-id`, { length: 48, special: false }, { parent: this })
          .result,
    );

    // The trust policy carries the external id, because AWS compares it with what the caller sends. AWS
    // does not treat an external id as a credential, but this library keeps it a Pulumi secret everywhere,
    // so the whole trust policy is stored encrypted and previews show it as [secret]. The principal it
    // trusts is the `polarisRoleArn` input, which previews do show.
    const assumeRolePolicy = pulumi
      .all([args.polarisRoleArn, externalId])
      .apply(([polarisRoleArn, id]) => JSON.stringify(catalogTrustPolicy(polarisRoleArn, id)));

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        path: CATALOG_ROLE_PATH,
        assumeRolePolicy,
        description:
          args.description ??
          `Apache Polaris assumes this role to vend credentials for catalog storage ${name}`,
        // Role chaining caps sessions at one hour anyway; a longer maximum would only suggest otherwise.
        maxSessionDuration: 3600,
      },
      { parent: this },
    );

    const partition = aws.getPartitionOutput({}, { parent: this });
    const policy = pulumi
      .all([args.bucket.arn, args.bucket.kmsKeyArn, partition.dnsSuffix])
      .apply(([bucketArn, kmsKeyArn, dnsSuffix]) =>
        JSON.stringify(
          catalogStoragePolicy({ bucketArn, prefixes: locations.map((l) => l.prefix), kmsKeyArn, dnsSuffix }),
        ),
      );
    const storagePolicy = new aws.iam.RolePolicy(
      `${name}-storage`,
      { role: this.role.id, policy }, // an IAM role's id is its name
      { parent: this },
    );

    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
    this.externalId = externalId;
    this.allowedLocations = locations.map((l) => l.uri);
    const region = aws.getRegionOutput({}, { parent: this }).region;
    // Through the policy's id: a catalog created from this output waits until the role can touch the bucket.
    this.catalogStorage = pulumi
      .all([this.role.arn, region, args.bucket.kmsKeyArn, storagePolicy.id])
      .apply(([roleArn, regionName, kmsKeyArn]) => ({
        storageType: "S3" as const,
        roleArn,
        region: regionName,
        allowedLocations: [...this.allowedLocations],
        ...(kmsKeyArn === undefined ? {} : { currentKmsKey: kmsKeyArn, allowedKmsKeys: [kmsKeyArn] }),
      }));

    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      externalId: this.externalId,
      allowedLocations: this.allowedLocations,
      catalogStorage: this.catalogStorage,
    });
  }
}
