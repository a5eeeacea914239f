/**
 * The YAML that `polaris setup apply` (apache-polaris 1.8.0) reads, as a zod schema: every key it reads,
 * in every form it accepts (a namespace as "a.b", [a, b] or a mapping; namespace privileges as a mapping
 * or a list; policies as a mapping or a list), and the rules its `catalogs create` checks. Where apply
 * would skip something with a log line, ignore a key silently, or crash, this schema refuses it with the
 * key path and the fix. The output is one normalized form (namespaces as levels, policies as a list), the
 * SetupDocument of document.ts.
 * No Pulumi import.
 */
import { z } from "zod";
import { privilegeProblem } from "../entities/grant-privileges";
import { POLICY_TYPES } from "../entities/policy";
import { entityName } from "../entities/shared/names";
import type { SetupDocument } from "./document";
import { closest } from "./problems";

/** A YAML mapping with exactly these keys. An unknown key is named with the nearest known one. */
function mapping<Shape extends z.ZodRawShape>(shape: Shape, what: string, notAMapping?: string) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") {
        const named = issue.keys.map((key) => {
          const near = closest(key, known);
          return `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ""}`;
        });
        const list = named.some((line) => line.includes("did you mean"))
          ? ""
          : ` ${what} takes: ${known.join(", ")}.`;
        return `${named.join("; ")}. setup apply would ignore it without a word, so fix or remove it.${list}`;
      }
      if (issue.code === "invalid_type") return notAMapping ?? `${what} must be a mapping (key: value)`;
      return undefined;
    },
  });
}

/** Validates with the schema that `pick` chooses for the value, keeping the issues' paths. */
function either<Out>(pick: (value: unknown) => z.ZodType<Out>) {
  return z.unknown().transform((value, context): Out => {
    const parsed = pick(value).safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      context.addIssue({ code: "custom", message: issue.message, path: issue.path as PropertyKey[] });
    }
    return z.NEVER;
  });
}

const text = (key: string) =>
  z.string({ error: `${key} must be a string` }).min(1, `${key} must not be empty`);

const textList = (key: string) =>
  z.array(text(`each entry of ${key}`), { error: `${key} must be a list of strings` });

// PyYAML (YAML 1.1) reads these words as booleans; js-yaml (YAML 1.2) reads them as strings.
const YAML11_TRUE = /^(?:yes|Yes|YES|on|On|ON)$/;
const YAML11_FALSE = /^(?:no|No|NO|off|Off|OFF)$/;
const yamlBoolean = (key: string) =>
  z.preprocess(
    (value) =>
      typeof value === "string" && YAML11_TRUE.test(value)
        ? true
        : typeof value === "string" && YAML11_FALSE.test(value)
          ? false
          : value,
    z.boolean({ error: `${key} must be true or false` }),
  );

const properties = z
  .record(
    z.string(),
    z.string({
      error:
        'property values must be strings: quote numbers and booleans ("8", "true"), as Polaris stores strings',
    }),
  )
  .nullish()
  .transform((value) => value ?? {});

// --- namespaces -------------------------------------------------------------------------------------------

/** A namespace as setup apply takes it: "a.b" or [a, b]; normalized to its levels. */
const namespaceRef = either<string[]>((value) =>
  typeof value === "string"
    ? text("the namespace")
        .refine((name) => name.split(".").every((level) => level.length > 0), {
          message: 'a dotted namespace must not have an empty level (as in "a..b" or ".a")',
        })
        .transform((name) => name.split("."))
    : z
        .array(
          z
            .string({ error: "a namespace level must be a string" })
            .min(1, "a namespace level must not be empty")
            .refine((level) => !level.includes("."), {
              message: 'a namespace level must not contain "."; give each level as its own entry',
            }),
          { error: 'a namespace is a dotted name ("a.b") or a list of levels ([a, b])' },
        )
        .min(1, "a namespace must name at least one level"),
);

const namespaceEntry = either((value) =>
  typeof value === "string" || Array.isArray(value)
    ? namespaceRef.transform((levels) => ({
        levels,
        location: undefined as string | undefined,
        properties: {} as Record<string, string>,
      }))
    : mapping(
        { name: namespaceRef, location: text("location").optional(), properties },
        "a namespace entry",
        'each namespace is a dotted name ("a.b"), a list of levels ([a, b]), or a mapping with name, location and properties',
      ).transform(({ name, location, properties: declared }) => ({
        levels: name,
        location,
        properties: declared,
      })),
);

// --- catalog roles and privileges -------------------------------------------------------------------------

const privilegeList = (level: "catalog" | "namespace") =>
  z.array(
    z.string({ error: "a privilege must be a string" }).superRefine((privilege, context) => {
      const problem = privilegeProblem(level, privilege);
      if (problem) context.addIssue({ code: "custom", message: problem });
    }),
    { error: `${level} privileges must be a list` },
  );

/** `namespace:` privileges, as a mapping {"a.b": [...]} or a list [{namespace, privileges}]. */
const namespacePrivileges = either((value) =>
  Array.isArray(value)
    ? z.array(
        mapping(
          { namespace: namespaceRef, privileges: privilegeList("namespace") },
          "a namespace privilege entry",
        ),
      )
    : z
        .record(z.string(), privilegeList("namespace"), {
          error:
            'namespace privileges are a mapping {"a.b": [PRIVILEGE, ...]} or a list of {namespace, privileges}',
        })
        .transform((byName) =>
          Object.entries(byName).map(([namespace, privileges]) => ({
            namespace: namespace.split("."),
            privileges,
          })),
        ),
);

const privileges = mapping(
  {
    catalog: privilegeList("catalog").optional(),
    namespace: namespacePrivileges.optional(),
    // setup apply reads these two only to say that it ignores them (it grants catalog and namespace
    // privileges only); they are kept so that PolarisSetup can say the same.
    table: z.unknown().optional(),
    view: z.unknown().optional(),
  },
  "privileges",
);

const catalogRole = mapping(
  {
    properties,
    assign_to: z
      .array(entityName("principal role"), { error: "assign_to must be a list of principal roles" })
      .optional(),
    privileges: privileges.optional(),
  },
  "a catalog role",
  "a catalog role must be a mapping; write `role_name: {}` for a role with nothing more (setup apply fails on an empty one)",
);

// --- policies ---------------------------------------------------------------------------------------------

const ATTACHMENT_TYPES = ["catalog", "namespace", "table-like"] as const;

const attachment = mapping(
  {
    type: z.enum(ATTACHMENT_TYPES, { error: `attach type must be one of ${ATTACHMENT_TYPES.join(", ")}` }),
    path: text("path").optional(),
    parameters: z.record(z.string(), z.string()).optional(),
  },
  "an attachment",
).superRefine((target, context) => {
  if (target.type === "catalog" && target.path !== undefined) {
    context.addIssue({
      code: "custom",
      path: ["path"],
      message:
        "a catalog attachment has no path (Polaris would attach to the whole catalog anyway); remove it",
    });
  }
  if (target.type !== "catalog" && target.path === undefined) {
    context.addIssue({
      code: "custom",
      path: ["path"],
      message: `a ${target.type} attachment needs path: the dotted ${target.type === "namespace" ? "namespace" : "namespace and table"}, e.g. ${target.type === "namespace" ? "sales.emea" : "sales.orders"}`,
    });
  }
});

const policyType = z.string({ error: "type must be a string" }).superRefine((type, context) => {
  if ((POLICY_TYPES as readonly string[]).includes(type)) return;
  const near = closest(type, POLICY_TYPES);
  context.addIssue({
    code: "custom",
    message: `unknown policy type "${type}"${near ? `; did you mean ${near}?` : ""} Polaris 1.4.1 knows ${POLICY_TYPES.join(", ")}`,
  });
});

const policyFields = {
  namespace: namespaceRef.optional(),
  type: policyType.optional(),
  description: z.string({ error: "description must be a string" }).optional(),
  content: z
    .union([z.string(), z.record(z.string(), z.unknown())], {
      error: "content must be a JSON string or a mapping",
    })
    .optional(),
  file: text("file").optional(),
  attach: z.array(attachment, { error: "attach must be a list" }).optional(),
};

function policyRules<T extends { namespace?: string[]; type?: string; content?: unknown; file?: string }>(
  policy: T,
  context: z.RefinementCtx,
) {
  if (policy.namespace === undefined) {
    context.addIssue({
      code: "custom",
      path: ["namespace"],
      message:
        "namespace is required: the namespace the policy lives in (setup apply skips a policy without one)",
    });
  }
  if (policy.type === undefined) {
    context.addIssue({
      code: "custom",
      path: ["type"],
      message: `type is required: one of ${POLICY_TYPES.join(", ")}`,
    });
  }
  if (policy.content === undefined && policy.file === undefined) {
    context.addIssue({
      code: "custom",
      path: ["content"],
      message: "content or file is required (setup apply skips a policy with neither)",
    });
  }
  if (policy.content !== undefined && policy.file !== undefined) {
    context.addIssue({
      code: "custom",
      path: ["file"],
      message: "give content or file, not both (setup apply would use content and ignore file)",
    });
  }
}

const policyBody = mapping(
  policyFields,
  "a policy",
  "a policy must be a mapping with namespace, type and content",
);
const namedPolicy = mapping(
  { name: text("name"), ...policyFields },
  "a policy",
  "a policy must be a mapping with name, namespace, type and content",
);

/** `policies:` as a mapping by name, or a list of policies with a name each; normalized to the list. */
const policies = either((value) =>
  Array.isArray(value)
    ? z.array(namedPolicy.superRefine(policyRules))
    : z
        .record(z.string(), policyBody.superRefine(policyRules), {
          error: "policies must be a mapping by policy name, or a list of policies with a name each",
        })
        .transform((byName) => Object.entries(byName).map(([name, policy]) => ({ name, ...policy }))),
);

// --- catalogs ---------------------------------------------------------------------------------------------

const STORAGE_TYPES = ["s3", "azure", "gcs", "file"] as const;

/** Keys of one storage type, as setup apply's `catalogs create` refuses them on another type. */
export const STORAGE_KEYS = {
  s3: [
    "role_arn",
    "external_id",
    "user_arn",
    "region",
    "endpoint",
    "endpoint_internal",
    "sts_endpoint",
    "sts_unavailable",
    "kms_unavailable",
    "path_style_access",
    "current_kms_key",
    "allowed_kms_keys",
    "encryption_keys",
    "decryption_keys",
  ],
  azure: ["tenant_id", "multi_tenant_app_name", "consent_url", "hierarchical"],
  gcs: ["service_account"],
  file: [],
} as const satisfies Record<(typeof STORAGE_TYPES)[number], readonly string[]>;

const CONNECTION_TYPES = ["iceberg-rest", "hadoop", "hive"] as const;
const AUTHENTICATION_TYPES = ["oauth", "bearer", "sigv4", "gcp", "implicit"] as const;

/** Which authentication keys belong to which type, and which of them `catalogs create` requires. */
export const AUTHENTICATION_KEYS = {
  oauth: {
    allowed: ["token_uri", "client_id", "client_secret", "scopes"],
    required: ["token_uri", "client_id", "client_secret", "scopes"],
  },
  bearer: { allowed: ["token"], required: ["token"] },
  sigv4: {
    allowed: ["role_arn", "role_session_name", "external_id", "signing_region", "signing_name"],
    required: ["role_arn", "signing_region"],
  },
  gcp: { allowed: [], required: [] },
  implicit: { allowed: [], required: [] },
} as const satisfies Record<
  (typeof AUTHENTICATION_TYPES)[number],
  { allowed: readonly string[]; required: readonly string[] }
>;

const lowerCaseEnum = <const T extends readonly [string, ...string[]]>(key: string, values: T) =>
  z.enum(values, {
    error: (issue) =>
      typeof issue.input === "string" && (values as readonly string[]).includes(issue.input.toLowerCase())
        ? `${key} must be written in lower case ("${issue.input.toLowerCase()}"): setup apply compares it as written`
        : `${key} must be one of ${values.join(", ")}`,
  });

const authentication = mapping(
  {
    type: lowerCaseEnum("authentication type", AUTHENTICATION_TYPES),
    token_uri: text("token_uri").optional(),
    client_id: text("client_id").optional(),
    client_secret: text("client_secret").optional(),
    scopes: textList("scopes").optional(),
    token: text("token").optional(),
    role_arn: text("role_arn").optional(),
    role_session_name: text("role_session_name").optional(),
    external_id: text("external_id").optional(),
    signing_region: text("signing_region").optional(),
    signing_name: text("signing_name").optional(),
  },
  "authentication",
).superRefine((auth, context) => {
  const rules = AUTHENTICATION_KEYS[auth.type];
  for (const [key, value] of Object.entries(auth)) {
    if (key === "type" || value === undefined) continue;
    if (!(rules.allowed as readonly string[]).includes(key)) {
      const owner = AUTHENTICATION_TYPES.find((type) =>
        (AUTHENTICATION_KEYS[type].allowed as readonly string[]).includes(key),
      );
      context.addIssue({
        code: "custom",
        path: [key],
        message: `${key} belongs to ${owner} authentication, not ${auth.type}; remove it (setup apply would ignore it)`,
      });
    }
  }
  for (const key of rules.required) {
    const value = (auth as Record<string, unknown>)[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      context.addIssue({
        code: "custom",
        path: [key],
        message: `${key} is required for ${auth.type} authentication (setup apply refuses the catalog without it)`,
      });
    }
  }
});

const connection = mapping(
  {
    type: lowerCaseEnum("connection type", CONNECTION_TYPES),
    uri: text("uri").optional(),
    warehouse: text("warehouse").optional(),
    remote_catalog_name: text("remote_catalog_name").optional(),
    authentication: authentication.optional(),
    service_identity: mapping(
      {
        type: lowerCaseEnum("service_identity type", ["aws_iam"] as const),
        iam_arn: text("iam_arn").optional(),
      },
      "service_identity",
    )
      .refine((identity) => identity.iam_arn !== undefined, {
        path: ["iam_arn"],
        message: "iam_arn is required for aws_iam",
      })
      .optional(),
  },
  "connection",
).superRefine((remote, context) => {
  const issue = (key: string, message: string) => context.addIssue({ code: "custom", path: [key], message });
  if (remote.uri === undefined) issue("uri", "uri is required: the remote catalog's address");
  if (remote.authentication === undefined) {
    issue(
      "authentication",
      `authentication is required: a mapping with type (one of ${AUTHENTICATION_TYPES.join(", ")})`,
    );
  }
  if (remote.type === "iceberg-rest" && remote.warehouse !== undefined) {
    issue(
      "warehouse",
      "warehouse belongs to hadoop and hive connections; an iceberg-rest connection names remote_catalog_name",
    );
  }
  if (remote.type !== "iceberg-rest") {
    if (remote.warehouse === undefined)
      issue("warehouse", `warehouse is required for a ${remote.type} connection`);
    if (remote.remote_catalog_name !== undefined) {
      issue("remote_catalog_name", "remote_catalog_name belongs to iceberg-rest connections; remove it");
    }
  }
});

const catalog = mapping(
  {
    name: entityName("catalog"),
    type: z
      .string({ error: "type must be internal or external" })
      .transform((value) => value.toLowerCase())
      .pipe(z.enum(["internal", "external"], { error: "type must be internal or external" }))
      .optional(),
    storage_type: lowerCaseEnum("storage_type", STORAGE_TYPES),
    storage_name: text("storage_name").optional(),
    default_base_location: text("default_base_location"),
    allowed_locations: textList("allowed_locations").optional(),
    properties,
    role_arn: text("role_arn").optional(),
    external_id: text("external_id").optional(),
    user_arn: text("user_arn").optional(),
    region: text("region").optional(),
    endpoint: text("endpoint").optional(),
    endpoint_internal: text("endpoint_internal").optional(),
    sts_endpoint: text("sts_endpoint").optional(),
    sts_unavailable: yamlBoolean("sts_unavailable").optional(),
    kms_unavailable: yamlBoolean("kms_unavailable").optional(),
    path_style_access: yamlBoolean("path_style_access").optional(),
    current_kms_key: text("current_kms_key").optional(),
    allowed_kms_keys: textList("allowed_kms_keys").optional(),
    encryption_keys: textList("encryption_keys").optional(),
    decryption_keys: textList("decryption_keys").optional(),
    tenant_id: text("tenant_id").optional(),
    multi_tenant_app_name: text("multi_tenant_app_name").optional(),
    consent_url: text("consent_url").optional(),
    hierarchical: yamlBoolean("hierarchical").optional(),
    service_account: text("service_account").optional(),
    connection: connection.optional(),
    namespaces: z.array(namespaceEntry, { error: "namespaces must be a list" }).nullish(),
    roles: z
      .record(entityName("catalog role"), catalogRole, {
        error: "roles must be a mapping by catalog role name",
      })
      .nullish(),
    policies: policies.nullish(),
  },
  "a catalog",
)
  .superRefine((entry, context) => {
    const issue = (key: string, message: string) =>
      context.addIssue({ code: "custom", path: [key], message });
    // Like `catalogs create`: a key counts when it is set to something (false and [] do not).
    const given = (key: string) => {
      const value = (entry as Record<string, unknown>)[key];
      return value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0);
    };
    for (const storageType of STORAGE_TYPES) {
      if (storageType === entry.storage_type) continue;
      for (const key of STORAGE_KEYS[storageType]) {
        if (given(key)) {
          issue(
            key,
            `${key} belongs to ${storageType} storage, and this catalog's storage_type is ${entry.storage_type}; remove it (setup apply refuses the catalog)`,
          );
        }
      }
    }
    if (entry.storage_type === "azure" && entry.tenant_id === undefined) {
      issue("tenant_id", "tenant_id is required for azure storage");
    }
    const external = entry.type === "external";
    if (external && entry.connection === undefined) {
      issue(
        "connection",
        "an external catalog needs connection: the remote catalog it federates to (setup apply refuses one without)",
      );
    }
    if (!external && entry.connection !== undefined) {
      issue(
        "connection",
        "connection is read only for external catalogs: add `type: external`, or remove it",
      );
    }
  })
  .transform((entry) => ({
    ...entry,
    type: entry.type ?? ("internal" as const),
    namespaces: entry.namespaces ?? [],
    roles: entry.roles ?? {},
    policies: entry.policies ?? [],
  }));

// --- principals and principal roles -----------------------------------------------------------------------

const principalRoleEntry = either((value) =>
  typeof value === "string"
    ? entityName("principal role").transform((name) => ({ name, properties: {} as Record<string, string> }))
    : mapping(
        { name: entityName("principal role"), properties },
        "a principal role",
        "each principal role is a name, or a mapping with name and properties",
      ),
);

const principal = mapping(
  {
    type: z
      .string({ error: "type must be service" })
      .refine((type) => type.toLowerCase() === "service", {
        message: "type must be service, the only principal type",
      })
      .optional(),
    properties,
    roles: z
      .array(entityName("principal role"), { error: "roles must be a list of principal roles" })
      .optional(),
  },
  "a principal",
  "a principal must be a mapping; write `name: {}` for a principal with nothing more (setup apply fails on an empty one)",
);

export const setupDocumentSchema = mapping(
  {
    principal_roles: z.array(principalRoleEntry, { error: "principal_roles must be a list" }).nullish(),
    principals: z
      .record(entityName("principal"), principal, { error: "principals must be a mapping by principal name" })
      .nullish(),
    catalogs: z.array(catalog, { error: "catalogs must be a list" }).nullish(),
  },
  "the setup YAML",
  "a setup YAML is a mapping with principal_roles, principals and catalogs",
).transform((document) => ({
  principal_roles: document.principal_roles ?? [],
  principals: document.principals ?? {},
  catalogs: document.catalogs ?? [],
}));

// The documented types (document.ts) must be exactly what this schema yields: a key added, removed or
// retyped on one side only stops the build here.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const schemaYieldsSetupDocument: Same<z.output<typeof setupDocumentSchema>, SetupDocument> = true;
void schemaYieldsSetupDocument;
