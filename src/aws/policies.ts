/**
 * The IAM policy documents of the AWS components, as plain objects built by pure functions.
 *
 * Nothing here imports Pulumi: the components serialise these documents into their resources, and the unit
 * tests feed the very same documents to a policy simulator.
 */

/** An IAM `Condition` block: operator, then condition key, then the value(s) to compare with. */
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

/** One statement of an IAM policy document, with IAM's own field names. */
export interface PolicyStatement {
  /** The statement's id, unique within the document. @default none */
  Sid?: string;
  /** Whether the statement allows or denies the actions. */
  Effect: "Allow" | "Deny";
  /** Who the statement applies to; only in trust and resource policies. @default none: an identity policy */
  Principal?:
    | "*"
    | {
        /** AWS accounts, users or roles, by ARN. */
        AWS?: string | string[];
        /** A web identity provider, such as an EKS cluster's OIDC provider ARN. */
        Federated?: string;
        /** An AWS service, such as `s3.amazonaws.com`. */
        Service?: string;
      };
  /** The actions, such as `s3:GetObject`; wildcards allowed. */
  Action: string | string[];
  /** The ARNs the actions apply to; absent in trust policies. @default none */
  Resource?: string | string[];
  /** When the statement applies. @default always */
  Condition?: ConditionBlock;
}

/** An IAM policy document (permission, trust or bucket policy). */
export interface PolicyDocument {
  /** The policy language version; always the current one. */
  Version: "2012-10-17";
  /** The statements, evaluated together: an explicit Deny wins over any Allow. */
  Statement: PolicyStatement[];
}

/**
 * The IAM path of every catalog storage role. Polaris' own identity may assume any role under it and no
 * other, so adding a catalog never edits that identity's policy.
 */
export const CATALOG_ROLE_PATH = "/polaris/catalog/";

/** The IAM path of Polaris' own identity: outside CATALOG_ROLE_PATH, so it cannot assume itself. */
export const POLARIS_IDENTITY_PATH = "/polaris/";

/**
 * Object actions that Polaris puts into the session policy of a vended credential (read: Get, GetVersion;
 * write: Put, Delete). The catalog role grants exactly these: a session can never gain more than its role.
 *
 * s3:DeleteObjectVersion is left out on purpose. On the versioned warehouse bucket, DeleteObject only adds
 * a delete marker, so what a leaked or buggy engine session deletes stays recoverable; Polaris never asks
 * for version deletes, and permanent clean-up belongs to lifecycle rules.
 */
export const CATALOG_OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:PutObject",
  "s3:DeleteObject",
];

const READ_OBJECT_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"];
// Engines upload large files in parts; AbortMultipartUpload lets them clean up a failed upload.
const WRITE_OBJECT_ACTIONS = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"];
const KMS_READ_ACTIONS = ["kms:Decrypt"];
const KMS_WRITE_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"];

function document(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** `arn:aws:s3:::bucket/prefix/*`: every object under `prefix` ("" for the whole bucket). */
export function objectsArn(bucketArn: string, prefix: string): string {
  return `${bucketArn}/${prefix}*`;
}

/**
 * The bucket policy of the warehouse: refuse every request that does not use TLS, on the bucket and on its
 * objects, whoever sends it.
 */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return document({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  });
}

/** What an identity may do under some prefixes of one bucket. */
export interface PrefixAccess {
  /** `arn:<partition>:s3:::<bucket>`. */
  bucketArn: string;
  /** Key prefixes as returned by `checkKeyPrefix`: "" (whole bucket) or "a/b/". */
  prefixes: readonly string[];
  /** The bucket's default KMS key, when it has one: S3 uses it on the caller's behalf. */
  kmsKeyArn?: string | undefined;
  /** The partition's DNS suffix, for the kms:ViaService condition. @default "amazonaws.com" */
  dnsSuffix?: string;
}

function prefixStatements(
  access: PrefixAccess,
  objectActions: string[],
  kmsActions: string[],
): PolicyStatement[] {
  const { bucketArn, prefixes, kmsKeyArn, dnsSuffix = "amazonaws.com" } = access;
  const wholeBucket = prefixes.includes("");
  const statements: PolicyStatement[] = [
    {
      Sid: "ObjectsInAllowedPrefixes",
      Effect: "Allow",
      Action: objectActions,
      Resource: prefixes.map((prefix) => objectsArn(bucketArn, prefix)),
    },
    {
      // "prefix/*" also matches "prefix/" itself (IAM's * matches nothing), so listing the location works,
      // while listing "warehouse/demo" (no slash, which would show "warehouse/demo2/") or the whole bucket
      // does not.
      Sid: "ListAllowedPrefixes",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      ...(wholeBucket ? {} : { Condition: { StringLike: { "s3:prefix": prefixes.map((p) => `${p}*`) } } }),
    },
    {
      // Engines ask for the bucket's region before they talk to it; the answer reveals nothing else.
      Sid: "LocateBucket",
      Effect: "Allow",
      Action: "s3:GetBucketLocation",
      Resource: bucketArn,
    },
  ];
  if (kmsKeyArn !== undefined) {
    statements.push({
      // Only through S3: the key encrypts the warehouse objects and is no general-purpose key for the caller.
      Sid: "UseWarehouseKeyThroughS3",
      Effect: "Allow",
      Action: kmsActions,
      Resource: kmsKeyArn,
      Condition: { StringLike: { "kms:ViaService": `s3.*.${dnsSuffix}` } },
    });
  }
  return statements;
}

/**
 * The permission policy of a catalog storage role: read and write objects under exactly the catalog's
 * allowed locations, list only inside them, and use the bucket's KMS key through S3.
 *
 * Polaris narrows each vended credential further with a session policy for one table's location; this
 * policy is the ceiling of every such credential.
 */
export function catalogStoragePolicy(access: PrefixAccess): PolicyDocument {
  return document(...prefixStatements(access, CATALOG_OBJECT_ACTIONS, KMS_WRITE_ACTIONS));
}

/** The policy that `WarehouseBucket.grantRead` / `grantReadWrite` attach to a role. */
export function bucketGrantPolicy(access: PrefixAccess & { write: boolean }): PolicyDocument {
  return access.write
    ? document(
        ...prefixStatements(access, [...READ_OBJECT_ACTIONS, ...WRITE_OBJECT_ACTIONS], KMS_WRITE_ACTIONS),
      )
    : document(...prefixStatements(access, READ_OBJECT_ACTIONS, KMS_READ_ACTIONS));
}

/**
 * The trust policy of a catalog storage role: only Polaris' identity, and only with the catalog's external
 * id (which Polaris sends from the catalog's storage config).
 *
 * sts:TagSession has its own statement without the external-id condition. AWS documents sts:ExternalId for
 * sts:AssumeRole only, and TagSession is only ever evaluated inside an AssumeRole call, which still needs the
 * external id; a combined statement might refuse tagged sessions.
 */
export function catalogTrustPolicy(polarisRoleArn: string, externalId: string): PolicyDocument {
  return document(
    {
      Sid: "PolarisAssumesWithExternalId",
      Effect: "Allow",
      Principal: { AWS: polarisRoleArn },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": externalId } },
    },
    {
      Sid: "PolarisTagsItsSessions",
      Effect: "Allow",
      Principal: { AWS: polarisRoleArn },
      Action: "sts:TagSession",
    },
  );
}

/** Where a Kubernetes service account lives, for an IRSA trust policy. */
export interface ServiceAccountIdentity {
  /** ARN of the cluster's IAM OIDC provider. */
  oidcProviderArn: string;
  /** The provider's issuer without scheme, e.g. "oidc.eks.eu-west-1.amazonaws.com/id/ABC123". */
  issuer: string;
  /** The Kubernetes namespace of the service account. */
  namespace: string;
  /** The Kubernetes service account that may assume the role. */
  serviceAccountName: string;
}

/** Trust for IRSA: only tokens that the cluster issued to this one service account, for STS. */
export function serviceAccountTrustPolicy(identity: ServiceAccountIdentity): PolicyDocument {
  const { oidcProviderArn, issuer, namespace, serviceAccountName } = identity;
  return document({
    Sid: "ServiceAccountWebIdentity",
    Effect: "Allow",
    Principal: { Federated: oidcProviderArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccountName}`,
        [`${issuer}:aud`]: "sts.amazonaws.com",
      },
    },
  });
}

/** `arn:<partition>:iam::<account>:role/polaris/catalog/*`: every catalog storage role of the account. */
export function catalogRoleArnPattern(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role${CATALOG_ROLE_PATH}*`;
}

/** The permission policy of Polaris' identity: assume (and tag) catalog storage roles, nothing else. */
export function catalogRoleAssumerPolicy(partition: string, accountId: string): PolicyDocument {
  return document({
    Sid: "AssumeCatalogStorageRoles",
    Effect: "Allow",
    Action: ["sts:AssumeRole", "sts:TagSession"],
    Resource: catalogRoleArnPattern(partition, accountId),
  });
}

/**
 * The issuer (host and path, no scheme) of an IAM OIDC provider, read from its ARN
 * (`arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`). Undefined when the ARN
 * is not an OIDC provider's.
 */
export function issuerOfOidcProviderArn(arn: string): string | undefined {
  const match = /^arn:[a-z-]+:iam::\d{12}:oidc-provider\/(.+)$/.exec(arn);
  return match?.[1];
}
