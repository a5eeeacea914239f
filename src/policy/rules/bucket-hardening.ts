import type { Rule } from "../rule";
import { at, type PolicySubject, TYPES, type Violation } from "../subject";

/** Settings of the `bucket-hardening` rule. */
export interface BucketHardeningConfig {
  /**
   * Components whose buckets live in an S3 emulator inside the cluster, not in a cloud account.
   * @default ["polaris:k8s:LocalS3Storage"]
   */
  exemptComponents: string[];
}

/**
 * A warehouse bucket holds every table's data files. With the AWS provider v7 its public access block,
 * encryption and versioning are separate resources, so the rule looks for all three beside each bucket.
 */
export const bucketHardening: Rule<BucketHardeningConfig> = {
  name: "bucket-hardening",
  description: "Every S3 bucket has a full public access block, default encryption and versioning.",
  scope: "stack",
  configSchema: {
    properties: {
      exemptComponents: {
        type: "array",
        items: { type: "string" },
        default: ["polaris:k8s:LocalS3Storage"],
        description: "Component types whose buckets are in an in-cluster S3 emulator, which the rule skips.",
      },
    },
  },
  check(subjects, config) {
    const violations: Violation[] = [];
    const buckets = subjects.filter(
      (s) => (s.type === TYPES.bucket || s.type === TYPES.bucketV2) && !underAny(s, config.exemptComponents),
    );
    for (const bucket of buckets) {
      const companions = subjects.filter((s) => belongsTo(s, bucket));
      const missing = [
        hasPublicAccessBlock(companions)
          ? undefined
          : "a BucketPublicAccessBlock with all four settings true",
        hasEncryption(companions)
          ? undefined
          : "a BucketServerSideEncryptionConfiguration with a default algorithm (AES256 or aws:kms)",
        hasVersioning(companions) ? undefined : 'a BucketVersioning with status "Enabled"',
      ].filter((item): item is string => item !== undefined);
      if (missing.length === 0) continue;
      violations.push({
        urn: bucket.urn,
        message:
          `${bucket.name}: bucket ${String(bucket.props.bucket ?? "(unnamed)")} lacks ${missing.join(", ")}. ` +
          "Add the missing resources for this bucket, or create it with WarehouseBucket, which adds all three.",
      });
    }
    return violations;
  },
};

/** A URN names the types of every ancestor: `urn:pulumi:stack::project::parent$child::name`. */
function underAny(subject: PolicySubject, componentTypes: string[]): boolean {
  const types = subject.urn.split("::")[2]?.split("$") ?? [];
  return types.slice(0, -1).some((type) => componentTypes.includes(type));
}

/** A configuration resource names its bucket; when the name is not known yet, it shares the parent. */
function belongsTo(candidate: PolicySubject, bucket: PolicySubject): boolean {
  if (candidate === bucket) return false;
  const named = candidate.props.bucket;
  if (named !== undefined && bucket.props.bucket !== undefined) return named === bucket.props.bucket;
  return candidate.parent !== undefined && candidate.parent === bucket.parent;
}

function hasPublicAccessBlock(companions: PolicySubject[]): boolean {
  const settings = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
  return companions.some(
    (s) => s.type === TYPES.publicAccessBlock && settings.every((setting) => s.props[setting] === true),
  );
}

function hasEncryption(companions: PolicySubject[]): boolean {
  return companions.some((s) => {
    if (s.type !== TYPES.encryption && s.type !== TYPES.encryptionV2) return false;
    const rules = s.props.rules;
    return (
      Array.isArray(rules) &&
      rules.some((rule) => typeof at(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") === "string")
    );
  });
}

function hasVersioning(companions: PolicySubject[]): boolean {
  return companions.some(
    (s) =>
      (s.type === TYPES.versioning || s.type === TYPES.versioningV2) &&
      at(s.props, "versioningConfiguration", "status") === "Enabled",
  );
}
