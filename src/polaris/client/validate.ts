import { z } from "zod";
import { type ErrorContext, PolarisResponseError } from "./errors";

// Only the fields the library relies on are checked; whatever else Polaris sends is passed through.

const properties = z.record(z.string(), z.string());
const versioned = { name: z.string().min(1), entityVersion: z.number().int() };

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive().optional(),
});

export const catalogSchema = z.looseObject({
  ...versioned,
  type: z.enum(["INTERNAL", "EXTERNAL"]),
  properties,
  storageConfigInfo: z.looseObject({ storageType: z.string() }),
});
export const catalogsSchema = z.looseObject({ catalogs: z.array(catalogSchema) });

export const principalSchema = z.looseObject({
  ...versioned,
  clientId: z.string().optional(),
  properties: properties.optional(),
});
export const principalsSchema = z.looseObject({ principals: z.array(principalSchema) });
export const principalWithCredentialsSchema = z.looseObject({
  principal: principalSchema,
  credentials: z.looseObject({ clientId: z.string().min(1), clientSecret: z.string().min(1) }),
});

export const principalRoleSchema = z.looseObject({ ...versioned, properties: properties.optional() });
export const principalRolesSchema = z.looseObject({ roles: z.array(principalRoleSchema) });
export const catalogRoleSchema = principalRoleSchema;
export const catalogRolesSchema = principalRolesSchema;

const namespaceName = z.array(z.string().min(1)).min(1);
const privilege = z.string().min(1);
export const grantSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("catalog"), privilege }),
  z.looseObject({ type: z.literal("namespace"), privilege, namespace: namespaceName }),
  z.looseObject({ type: z.literal("table"), privilege, namespace: namespaceName, tableName: z.string() }),
  z.looseObject({ type: z.literal("view"), privilege, namespace: namespaceName, viewName: z.string() }),
  z.looseObject({ type: z.literal("policy"), privilege, namespace: namespaceName, policyName: z.string() }),
]);
export const grantsSchema = z.looseObject({ grants: z.array(grantSchema) });

export const namespaceSchema = z.looseObject({ namespace: namespaceName, properties: properties.nullish() });
export const namespacePageSchema = z.looseObject({
  namespaces: z.array(namespaceName).optional(),
  "next-page-token": z.string().nullish(),
});
export const namespacePropertiesUpdateSchema = z.looseObject({
  updated: z.array(z.string()),
  removed: z.array(z.string()),
  missing: z.array(z.string()).nullish(),
});

export const policySchema = z.looseObject({
  "policy-type": z.string().min(1),
  name: z.string().min(1),
  version: z.number().int(),
  inheritable: z.boolean(),
  description: z.string().nullish(),
  content: z.string().nullish(),
});
export const loadPolicySchema = z.looseObject({ policy: policySchema });
export const policyPageSchema = z.looseObject({
  identifiers: z.array(z.looseObject({ namespace: namespaceName, name: z.string().min(1) })).optional(),
  "next-page-token": z.string().nullish(),
});
export const applicablePolicyPageSchema = z.looseObject({
  "applicable-policies": z.array(
    z.looseObject({ ...policySchema.shape, inherited: z.boolean(), namespace: namespaceName }),
  ),
  "next-page-token": z.string().nullish(),
});

/**
 * `body` as T once `schema` accepts it. T is the generated type of the whole body; the schema checks the part
 * of it that callers rely on.
 */
export function validated<T>(schema: z.ZodType, body: unknown, context: ErrorContext): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
      .join("; ");
    throw new PolarisResponseError(
      context,
      problems,
      "Check that connection.uri (or polaris:uri) is an Apache Polaris server of release 1.4.1 or later.",
    );
  }
  return body as T;
}
