import type { Rule } from "../rule";
import { at, type PolicySubject, TYPES, type Violation } from "../subject";

/**
 * A warehouse bucket holds every table's data files. With the AWS provider v7 its public access block,
 * encryption and versioning are separate resources, so the rule looks for all three beside each bucket.
 */
export const bucketHardening: Rule<Record<string, never>> = {
  name: "bucket-hardening",
  description: "Every S3 bucket has a full public access block, default encryption and versioning.",
  scope: "stack",
  check(subjects) {
    const violations: Violation[] = [];
    for (const bucket of subjects.filter((s) => s.type === TYPES.bucket || s.type === TYPES.bucketV2)) {
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
