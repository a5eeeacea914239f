/**
 * What a rule sees of a resource: the same fields whether it comes from the policy engine (a preview or
 * an update run with `--policy-pack`) or from a program run under mocks in a test.
 */
export interface PolicySubject {
  /** The resource type token, e.g. `aws:s3/bucket:Bucket` or `pulumi-nodejs:dynamic/polaris:Catalog`. */
  type: string;
  /** The resource's logical name in the program. */
  name: string;
  /** The resource's URN, which names its stack. */
  urn: string;
  /** Inputs, secrets revealed; a value not yet known at preview is undefined. */
  props: Record<string, unknown>;
  /** Whether the resource has the `protect` option. */
  protect: boolean;
  /** The parent's URN, when the resource has one. */
  parent?: string;
}

/** One broken rule: what is wrong with which resource, and how to fix it. */
export interface Violation {
  /** What is wrong and how to fix it, naming the resource. */
  message: string;
  /** The resource at fault; undefined when the stack as a whole is. */
  urn?: string;
}

export const DYNAMIC = "pulumi-nodejs:dynamic/polaris:";

export const TYPES = {
  catalog: `${DYNAMIC}Catalog`,
  namespace: `${DYNAMIC}Namespace`,
  catalogGrant: `${DYNAMIC}CatalogGrant`,
  catalogGrantSet: `${DYNAMIC}CatalogGrantSet`,
  catalogRoleAssignment: `${DYNAMIC}CatalogRoleAssignment`,
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  encryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  versioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
  service: "kubernetes:core/v1:Service",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  configMap: "kubernetes:core/v1:ConfigMap",
} as const;

/** The stack a URN belongs to: `urn:pulumi:<stack>::<project>::...`. */
export function stackOf(urn: string): string {
  return urn.split("::")[0]?.slice("urn:pulumi:".length) ?? "";
}

/** Settings shared by the rules that apply to production stacks only. */
export interface ProductionConfig {
  /** Stack names treated as production. @default ["prod", "production"] */
  prodStacks: string[];
}

export const PROD_STACKS_SCHEMA = {
  type: "array",
  items: { type: "string" },
  default: ["prod", "production"],
  description: "Stack names the rule treats as production.",
} as const;

/** Whether the subject's stack is one of `config.prodStacks`. */
export function isProduction(subject: { urn: string }, config: ProductionConfig): boolean {
  return config.prodStacks.includes(stackOf(subject.urn));
}

/** A nested value, or undefined when any step is missing (or unknown at preview). */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/** Polaris resources are labelled `app.kubernetes.io/name: polaris` by PolarisServer. */
export function isPolarisObject(subject: PolicySubject, appName: string): boolean {
  return at(subject.props, "metadata", "labels", "app.kubernetes.io/name") === appName;
}
