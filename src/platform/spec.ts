/**
 * The per-environment platform spec: what differs between sandbox, local and prod, read from stack config
 * (`polaris-platform:*` in Pulumi.<stack>.yaml) and validated with zod before any resource is registered.
 * Errors name the config key and list the allowed values. No Pulumi import.
 */
import { z } from "zod";
import { grantId, grantSpecSchema } from "../entities/grant-spec";
import { REFERENCE_PLATFORM } from "./reference";

export const ENVIRONMENTS = ["sandbox", "local", "prod"] as const;

const namespacePath = z
  .string()
  .regex(
    /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/,
    "must be a dotted namespace path such as demo.gold.orders_team",
  );

const externalPolaris = z.strictObject({
  mode: z.literal("external"),
  /** The server's base URL; credentials come from stack config polaris:* or POLARIS_* in the environment. */
  uri: z.url({ protocol: /^https?$/ }).optional(),
  realm: z.string().min(1).optional(),
  /** Read uri and realm from this sandbox instance's run folder (.sandbox/<name>/endpoints.env). */
  sandboxInstance: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/)
    .optional(),
});

const deployedPolaris = z.strictObject({
  mode: z.literal("deploy"),
  namespace: z.string().min(1).default("polaris"),
  persistence: z.enum(["in-memory", "relational-jdbc"]).default("in-memory"),
  replicas: z.number().int().min(1).max(20).default(1),
  /** A Secret with the JDBC url, username and password (relational-jdbc). */
  jdbcSecretName: z.string().min(1).optional(),
  /** A Secret with the token-broker key pair that every replica shares. */
  tokenBrokerSecretName: z.string().min(1).optional(),
  /** How `pulumi up` reaches the management API: an Ingress host (with TLS), or a local port-forward URL. */
  ingressHost: z.string().min(1).optional(),
  tlsSecretName: z.string().min(1).optional(),
  externalUri: z.url().optional(),
});

const existingStorage = z.strictObject({
  mode: z.literal("existing"),
  bucket: z.string().min(3),
  /** The role Polaris assumes to vend credentials; required with vended credentials. */
  roleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\//, "must be an IAM role ARN")
    .optional(),
  region: z.string().default("us-east-1"),
  endpoint: z.url().optional(),
  stsEndpoint: z.url().optional(),
  pathStyleAccess: z.boolean().default(false),
  /** Read the bucket's endpoint and the role from the sandbox instance's run folder. */
  fromSandbox: z.boolean().default(false),
});

const emulatorStorage = z.strictObject({
  mode: z.literal("emulator"),
  emulator: z.enum(["moto", "localstack"]).default("moto"),
  bucketName: z.string().min(3).default("warehouse"),
  namespace: z.string().min(1).default("polaris"),
});

const s3Storage = z.strictObject({
  mode: z.literal("s3"),
  bucketName: z.string().min(3),
  /** The EKS cluster's OIDC provider, for Polaris' IRSA identity. */
  oidcProviderArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\//, "must be an OIDC provider ARN"),
  kmsKeyArn: z.string().optional(),
});

const extraGrant = z.strictObject({
  /** The principal role whose catalog role receives the grant. */
  principalRole: z.enum(
    REFERENCE_PLATFORM.personas.map((persona) => persona.principalRole) as [string, ...string[]],
  ),
  grant: grantSpecSchema,
});

export const platformSpecSchema = z
  .strictObject({
    environment: z.enum(ENVIRONMENTS, { error: `must be one of ${ENVIRONMENTS.join(", ")}` }),
    polaris: z.discriminatedUnion("mode", [externalPolaris, deployedPolaris], {
      error: "polaris.mode must be external or deploy",
    }),
    storage: z.discriminatedUnion("mode", [existingStorage, emulatorStorage, s3Storage], {
      error: "storage.mode must be existing, emulator or s3",
    }),
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

export type PlatformSpec = z.output<typeof platformSpecSchema>;

/** Stack config as a flat map of key to raw value, the way `pulumi.Config` hands it over. */
export interface ConfigSource {
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
