/**
 * The per-environment platform spec: what differs between sandbox, local and prod, read from stack config
 * (`polaris-platform:*` in Pulumi.<stack>.yaml) and validated with zod before any resource is registered.
 * Errors name the config key and list the allowed values. No Pulumi import.
 */
import { z } from "zod";
import { grantId, grantSpecSchema } from "../entities/grant-spec";
import { REFERENCE_PLATFORM } from "./reference";

/**
 * The environments a stack can be: `sandbox` (this machine's Polaris and moto), `local` (Polaris and an S3
 * emulator on a local cluster), `prod` (Polaris on EKS with AWS S3 and IAM).
 */
export const ENVIRONMENTS = ["sandbox", "local", "prod"] as const;

const namespacePath = z
  .string()
  .regex(
    /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/,
    "must be a dotted namespace path such as demo.gold.orders_team",
  );

const externalPolaris = z.strictObject({
  /** A Polaris this stack does not deploy (the sandbox's, or one run elsewhere). */
  mode: z.literal("external"),
  /** The server's base URL; credentials come from stack config polaris:* or POLARIS_* in the environment. */
  uri: z
    .url({
      protocol: /^https?$/,
      error: "must be Polaris' http(s) base URL, such as https://polaris.example.com",
    })
    .refine(
      (uri) => !/\/api(\/|$)/.test(uri.replace(/^[^:]*:\/\/[^/]*/, "")),
      "must be Polaris' base URL, without /api/...",
    )
    .optional(),
  /**
   * The server's realm. The program does not read it yet: the management connection takes its realm from
   * stack config `polaris:realm` or POLARIS_REALM (or from the sandbox's run folder).
   */
  realm: z.string().min(1).optional(),
  /** Read uri and realm from this sandbox instance's run folder (.sandbox/<name>/endpoints.env). */
  sandboxInstance: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/)
    .optional(),
});

const deployedPolaris = z.strictObject({
  /** This stack deploys Polaris on Kubernetes (a PolarisServer). */
  mode: z.literal("deploy"),
  /** The Kubernetes namespace Polaris runs in. @default "polaris" */
  namespace: z.string().min(1).default("polaris"),
  /**
   * Where Polaris keeps its entities: `in-memory` loses them at every restart (local clusters only);
   * `relational-jdbc` needs `jdbcSecretName`. @default "in-memory"
   */
  persistence: z.enum(["in-memory", "relational-jdbc"]).default("in-memory"),
  /** Polaris pods, 1 to 20; more than one needs `relational-jdbc` and `tokenBrokerSecretName`. @default 1 */
  replicas: z.number().int().min(1).max(20).default(1),
  /** A Secret with the JDBC url, username and password (relational-jdbc). */
  jdbcSecretName: z.string().min(1).optional(),
  /** A Secret with the token-broker key pair that every replica shares. */
  tokenBrokerSecretName: z.string().min(1).optional(),
  /** How `pulumi up` reaches the management API: an Ingress host (with TLS), or a local port-forward URL. */
  ingressHost: z.string().min(1).optional(),
  /** A Secret with the TLS certificate for `ingressHost`. @default none: the Ingress serves plain HTTP */
  tlsSecretName: z.string().min(1).optional(),
  /**
   * The URL `pulumi up` and engines use when there is no Ingress, e.g. `http://localhost:8181` through
   * `kubectl port-forward`. Give this or `ingressHost`. @default from `ingressHost`
   */
  externalUri: z.url().optional(),
});

const existingStorage = z.strictObject({
  /** A bucket made outside this stack (the sandbox's moto, or an existing AWS bucket). */
  mode: z.literal("existing"),
  /** The bucket's name; the catalog lives at `s3://<bucket>/demo_catalog/`. */
  bucket: z.string().min(3),
  /** The role Polaris assumes to vend credentials; required with vended credentials. */
  roleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\//, "must be an IAM role ARN")
    .optional(),
  /** The bucket's AWS region. @default "us-east-1" */
  region: z.string().default("us-east-1"),
  /** The S3 endpoint, for an emulator. @default AWS S3, or the sandbox's moto with `sandboxInstance` */
  endpoint: z.url().optional(),
  /** The STS endpoint Polaris vends credentials with. @default AWS STS, or the sandbox's moto with `sandboxInstance` */
  stsEndpoint: z.url().optional(),
  /** Path-style bucket addressing, as emulators need. @default false */
  pathStyleAccess: z.boolean().default(false),
  /** Read the bucket's endpoint and the role from the sandbox instance's run folder. */
  fromSandbox: z.boolean().default(false),
});

const emulatorStorage = z.strictObject({
  /** An S3 emulator on the cluster (a LocalS3Storage); no credential vending. */
  mode: z.literal("emulator"),
  /** Which emulator; LocalStack needs the secret config `localstackAuthToken`. @default "moto" */
  emulator: z.enum(["moto", "localstack"]).default("moto"),
  /** The bucket created in the emulator. @default "warehouse" */
  bucketName: z.string().min(3).default("warehouse"),
  /** The Kubernetes namespace the emulator runs in. @default "polaris" */
  namespace: z.string().min(1).default("polaris"),
});

const s3Storage = z.strictObject({
  /** AWS S3: this stack creates the WarehouseBucket, the catalog's storage role and Polaris' IRSA identity. */
  mode: z.literal("s3"),
  /** The bucket to create; bucket names are globally unique. */
  bucketName: z.string().min(3),
  /** The EKS cluster's OIDC provider, for Polaris' IRSA identity. */
  oidcProviderArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\//, "must be an OIDC provider ARN"),
  /** A KMS key (ARN) for the bucket's default encryption. @default SSE-S3 */
  kmsKeyArn: z.string().optional(),
});

const extraGrant = z.strictObject({
  /** The principal role whose catalog role receives the grant. */
  principalRole: z.enum(
    REFERENCE_PLATFORM.personas.map((persona) => persona.principalRole) as [string, ...string[]],
  ),
  /** The grant, in the same shape as a CatalogGrantSet's grants. */
  grant: grantSpecSchema,
});

/** The zod schema of the spec; {@link readPlatformSpec} applies it to stack config. */
export const platformSpecSchema = z
  .strictObject({
    /** Which environment this stack is; the sandbox needs an external Polaris. */
    environment: z.enum(ENVIRONMENTS, { error: `must be one of ${ENVIRONMENTS.join(", ")}` }),
    /** Where Polaris comes from, by `mode`: `external` or `deploy`. */
    polaris: z.discriminatedUnion("mode", [externalPolaris, deployedPolaris], {
      error: "polaris.mode must be external or deploy",
    }),
    /** Where the warehouse is, by `mode`: `existing`, `emulator` or `s3`. */
    storage: z.discriminatedUnion("mode", [existingStorage, emulatorStorage, s3Storage], {
      error: "storage.mode must be existing, emulator or s3",
    }),
    /**
     * How engines get storage access: Polaris vends short-lived credentials, or (`none`) engines bring their
     * own, as with the emulator. @default "vended-credentials"
     */
    accessDelegation: z.enum(["vended-credentials", "none"]).default("vended-credentials"),
    /** Protect catalogs and namespaces from deletion (prod). */
    protect: z.boolean().default(false),
    /** Namespaces teams add beside the reference ones, e.g. demo.gold.finance. Parents must exist or be listed. */
    namespaces: z.array(namespacePath).default([]),
    /** Grants teams add beside the reference ones. */
    grants: z.array(extraGrant).default([]),
  })
  .superRefine((spec, context) => {
    const issue = (path: (string | number)[], message: string) =>
      context.addIssue({ code: "custom", path, message });
    if (spec.polaris.mode === "external" && !spec.polaris.uri && !spec.polaris.sandboxInstance) {
      issue(
        ["polaris", "uri"],
        "external Polaris needs its uri (or sandboxInstance to read it from a sandbox)",
      );
    }
    if (spec.polaris.mode === "deploy") {
      if (spec.polaris.replicas > 1 && spec.polaris.persistence === "in-memory") {
        issue(
          ["polaris", "replicas"],
          "more than one replica needs persistence: relational-jdbc (in-memory state is per pod)",
        );
      }
      if (spec.polaris.persistence === "relational-jdbc" && !spec.polaris.jdbcSecretName) {
        issue(
          ["polaris", "jdbcSecretName"],
          "relational-jdbc needs the Secret with the database url and credentials",
        );
      }
      if (spec.polaris.replicas > 1 && !spec.polaris.tokenBrokerSecretName) {
        issue(
          ["polaris", "tokenBrokerSecretName"],
          "several replicas must share a token-broker key pair Secret",
        );
      }
    }
    if (spec.environment === "sandbox" && spec.polaris.mode !== "external") {
      issue(["polaris", "mode"], "the sandbox runs Polaris itself: use mode external with sandboxInstance");
    }
    if (spec.storage.mode === "emulator" && spec.polaris.mode !== "deploy") {
      issue(
        ["storage", "mode"],
        "an emulator on the cluster goes with polaris.mode deploy; an external Polaris uses existing or s3",
      );
    }
    if (spec.storage.mode === "emulator" && spec.accessDelegation === "vended-credentials") {
      issue(["accessDelegation"], "the emulator does not vend credentials: set accessDelegation: none");
    }
    if (
      spec.storage.mode === "existing" &&
      spec.accessDelegation === "vended-credentials" &&
      !spec.storage.roleArn &&
      !spec.storage.fromSandbox
    ) {
      issue(
        ["storage", "roleArn"],
        "vended credentials need the role Polaris assumes; give roleArn or set accessDelegation: none",
      );
    }
    const reference: readonly string[] = REFERENCE_PLATFORM.namespaces;
    const known = new Set([...reference, ...spec.namespaces]);
    spec.namespaces.forEach((path, index) => {
      const parent = path.split(".").slice(0, -1).join(".");
      if (parent && !known.has(parent))
        issue(["namespaces", index], `the parent ${parent} of ${path} is not declared; list it too`);
      if (reference.includes(path)) {
        issue(["namespaces", index], `${path} is part of the reference platform already`);
      }
      if (spec.namespaces.indexOf(path) !== index) issue(["namespaces", index], `${path} is listed twice`);
    });
    spec.grants.forEach((extra, index) => {
      const persona = REFERENCE_PLATFORM.personas.find((p) => p.principalRole === extra.principalRole);
      const id = grantId(extra.grant);
      const declared = [
        ...(persona?.grants ?? []),
        ...spec.grants
          .slice(0, index)
          .filter((g) => g.principalRole === extra.principalRole)
          .map((g) => g.grant),
      ];
      if (declared.some((grant) => grantId(grant as never) === id)) {
        issue(["grants", index], `${extra.principalRole} holds ${id} already; list each grant once`);
      }
    });
  });

/** The validated per-environment spec, defaults filled in: what {@link readPlatformSpec} returns. */
export type PlatformSpec = z.output<typeof platformSpecSchema>;

/** Stack config as a flat map of key to raw value, the way `pulumi.Config` hands it over. */
export interface ConfigSource {
  /** The raw value of `key` (without the project prefix), or undefined when it is not set. */
  get(key: string): string | undefined;
}

const KEYS = [
  "environment",
  "polaris",
  "storage",
  "accessDelegation",
  "protect",
  "namespaces",
  "grants",
] as const;

/** Reads and validates the spec; throws one error listing every problem by config key. */
export function readPlatformSpec(config: ConfigSource, project = "polaris-platform"): PlatformSpec {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = config.get(key);
    if (value === undefined) continue;
    try {
      raw[key] = key === "environment" || key === "accessDelegation" ? value : JSON.parse(value);
    } catch {
      raw[key] = value;
    }
  }
  const parsed = platformSpecSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const [first, ...rest] = issue.path;
    const key = `${project}:${String(first ?? "")}${rest.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("")}`;
    const unknownKeys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    return `${key}: ${issue.message}${unknownKeys}`;
  });
  throw new Error(`the platform config in Pulumi.<stack>.yaml is not valid:\n  ${problems.join("\n  ")}`);
}
