import type { components as catalogApi } from "../generated/catalog";
import type { components as managementApi } from "../generated/management";

// Names for the generated Polaris 1.4.1 schema types that the client's methods take and return.
type Management = managementApi["schemas"];
type CatalogApi = catalogApi["schemas"];

export type Catalog = Management["Catalog"];
export type UpdateCatalogRequest = Management["UpdateCatalogRequest"];
export type StorageConfigInfo = Management["StorageConfigInfo"];
export type Principal = Management["Principal"];
/** Both credentials are checked present (validate.ts), though the spec leaves them optional. */
export type PrincipalWithCredentials = Management["PrincipalWithCredentials"] & {
  credentials: { clientId: string; clientSecret: string };
};
export type CreatePrincipalRequest = Management["CreatePrincipalRequest"];
export type UpdatePrincipalRequest = Management["UpdatePrincipalRequest"];
export type ResetPrincipalRequest = Management["ResetPrincipalRequest"];
export type PrincipalRole = Management["PrincipalRole"];
export type UpdatePrincipalRoleRequest = Management["UpdatePrincipalRoleRequest"];
export type CatalogRole = Management["CatalogRole"];
export type UpdateCatalogRoleRequest = Management["UpdateCatalogRoleRequest"];
export type Grant =
  | Management["CatalogGrant"]
  | Management["NamespaceGrant"]
  | Management["TableGrant"]
  | Management["ViewGrant"]
  | Management["PolicyGrant"];

/** A namespace's levels, outermost first: ["sales", "eu"] is sales.eu. */
export type NamespaceName = CatalogApi["Namespace"];
export type Namespace = CatalogApi["GetNamespaceResponse"];
export type UpdateNamespacePropertiesRequest = CatalogApi["UpdateNamespacePropertiesRequest"];
export type UpdateNamespacePropertiesResponse = CatalogApi["UpdateNamespacePropertiesResponse"];
export type TokenResponse = CatalogApi["OAuthTokenResponse"];

/**
 * A policy as Polaris 1.4.1 returns it. `content` is the policy's JSON (or other) text; the server answers
 * `null` for a description never set, which the client turns into an absent field.
 */
export type Policy = CatalogApi["Policy"];
export type PolicyIdentifier = CatalogApi["PolicyIdentifier"];
/** A policy that applies to a target, directly (`inherited: false`) or through a parent. */
export type ApplicablePolicy = CatalogApi["ApplicablePolicy"];
export type CreatePolicyRequest = CatalogApi["CreatePolicyRequest"];
/**
 * Polaris 1.4.1 replaces both `description` and `content`: one left out is cleared (content then fails
 * validation with "Policy is empty"), and a missing `current-policy-version` is a 500.
 */
export type UpdatePolicyRequest = Required<
  Pick<CatalogApi["UpdatePolicyRequest"], "current-policy-version">
> &
  Pick<CatalogApi["UpdatePolicyRequest"], "description" | "content">;
/** What a policy is attached to: `catalog` (no path), `namespace` (its levels), `table-like` (levels + name). */
export type PolicyAttachmentTarget = CatalogApi["PolicyAttachmentTarget"];
