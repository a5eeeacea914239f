import type { z } from "zod";
import {
  type ErrorContext,
  PolarisApiError,
  PolarisAuthenticationError,
  type PolarisErrorDetails,
  PolarisResponseError,
  PolarisTransportError,
  redact,
} from "./errors";
import { classifyTransportFailure, type HttpMethod, sendHttp } from "./http";
import { collectPages } from "./pagination";
import { apiErrorRemedy, notJsonRemedy } from "./remedies";
import {
  DEFAULT_RETRY_POLICY,
  isRepeatable,
  type RetriedOutcome,
  type RetryPolicy,
  withRetries,
} from "./retry";
import { type IssuedToken, sharedTokenCache, type TokenCache, type TokenOwner } from "./token";
import type {
  ApplicablePolicy,
  Catalog,
  CatalogRole,
  CreatePolicyRequest,
  Grant,
  Namespace,
  NamespaceName,
  Policy,
  PolicyAttachmentTarget,
  PolicyIdentifier,
  Principal,
  PrincipalRole,
  PrincipalWithCredentials,
  ResetPrincipalRequest,
  TokenResponse,
  UpdateCatalogRequest,
  UpdateCatalogRoleRequest,
  UpdateNamespacePropertiesRequest,
  UpdateNamespacePropertiesResponse,
  UpdatePolicyRequest,
  UpdatePrincipalRequest,
  UpdatePrincipalRoleRequest,
} from "./types";
import {
  applicablePolicyPageSchema,
  catalogRoleSchema,
  catalogRolesSchema,
  catalogSchema,
  catalogsSchema,
  grantsSchema,
  loadPolicySchema,
  namespacePageSchema,
  namespacePropertiesUpdateSchema,
  namespaceSchema,
  policyPageSchema,
  principalRoleSchema,
  principalRolesSchema,
  principalSchema,
  principalsSchema,
  principalWithCredentialsSchema,
  tokenResponseSchema,
  validated,
} from "./validate";

/** Where Polaris is and who we are to it. */
export interface PolarisConnection {
  /** The server's base URI, e.g. https://polaris.example.com or http://127.0.0.1:8181. */
  uri: string;
  /** Sent as the Polaris-Realm header on every request when set. */
  realm?: string;
  clientId: string;
  clientSecret: string;
  /** @default "PRINCIPAL_ROLE:ALL" */
  scope?: string;
  /** PEM certificate(s) to trust for an https uri, instead of the system's roots. */
  caCertificate?: string;
  /** Per request: the wait for the response headers, and for each gap in the body. @default 30000 */
  timeoutMs?: number;
}

export interface PolarisClientOptions {
  retry?: Partial<RetryPolicy>;
  /** @default the process-wide cache, which shares one token among all clients of one connection */
  tokenCache?: TokenCache;
}

export interface PolarisRequest extends ErrorContext {
  method: HttpMethod;
  /** From the server root, e.g. /api/management/v1/catalogs; segments already encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** A POST that may be sent twice with the same effect, so it is retried like a PUT. */
  idempotent?: boolean;
}

export type NewPrincipal = Pick<Principal, "name" | "properties">;
export type NewPrincipalRole = Pick<PrincipalRole, "name" | "properties">;
export type NewCatalogRole = Pick<CatalogRole, "name" | "properties">;

export interface ListNamespacesOptions {
  /** List the children of this namespace instead of the top level. */
  parent?: NamespaceName;
  /** Items per page, when the server pages. */
  pageSize?: number;
}

export interface ListPoliciesOptions {
  /** Only policies of this type, e.g. `system.data-compaction`. */
  policyType?: string;
  /** Items per page, when the server pages. */
  pageSize?: number;
}

/**
 * The entity whose applicable policies to list: the catalog (nothing given), a namespace, or a table or
 * view (`namespace` and `targetName`).
 */
export interface ApplicablePoliciesOptions {
  namespace?: NamespaceName;
  /** A table or view of `namespace`. */
  targetName?: string;
  policyType?: string;
  pageSize?: number;
}

const MANAGEMENT_API = "/api/management/v1";
/** Retries of a call whose token was refused (401); only a pathological race needs more than one. */
const MAX_TOKEN_RETRIES = 3;
const CATALOG_API = "/api/catalog/v1";
const POLICY_API = "/api/catalog/polaris/v1";
const DEFAULT_SCOPE = "PRINCIPAL_ROLE:ALL";
const DEFAULT_TIMEOUT_MS = 30_000;
// The Iceberg REST spec joins namespace levels with the unit separator, which is %1F once encoded.
const NAMESPACE_SEPARATOR = "\x1f";

export function managementPath(...segments: string[]): string {
  return MANAGEMENT_API + segments.map((segment) => `/${encodeURIComponent(segment)}`).join("");
}

export function namespacePath(catalog: string, namespace?: NamespaceName, ...rest: string[]): string {
  const segments = [
    catalog,
    "namespaces",
    ...(namespace ? [namespace.join(NAMESPACE_SEPARATOR)] : []),
    ...rest,
  ];
  return CATALOG_API + segments.map((segment) => `/${encodeURIComponent(segment)}`).join("");
}

/** A path of Polaris' policy API, `/api/catalog/polaris/v1/{catalog}/...`; namespaces joined with %1F. */
export function policyPath(catalog: string, namespace?: NamespaceName, ...rest: string[]): string {
  const segments = [
    catalog,
    ...(namespace ? ["namespaces", namespace.join(NAMESPACE_SEPARATOR)] : []),
    ...rest,
  ];
  return POLICY_API + segments.map((segment) => `/${encodeURIComponent(segment)}`).join("");
}

export class PolarisClient {
  private readonly base: URL;
  private readonly owner: TokenOwner;
  private readonly retry: RetryPolicy;
  private readonly tokens: TokenCache;

  constructor(
    private readonly connection: PolarisConnection,
    options: PolarisClientOptions = {},
  ) {
    this.base = parseUri(connection.uri);
    if (!connection.clientId || !connection.clientSecret) {
      throw new Error("a Polaris connection needs a clientId and a clientSecret");
    }
    this.owner = {
      uri: this.base.href,
      realm: connection.realm,
      clientId: connection.clientId,
      clientSecret: connection.clientSecret,
      scope: connection.scope ?? DEFAULT_SCOPE,
    };
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.tokens = options.tokenCache ?? sharedTokenCache;
  }

  /** One authenticated call; the parsed JSON body, or undefined for an empty one. */
  async request(call: PolarisRequest): Promise<unknown> {
    let token = await this.authenticated(call);
    let result = await this.exchange(call, token);
    // A refused token expired early, or the server restarted with new signing keys: retry with another. The
    // cache may hand over a token that another call fetched before this refusal, which can be just as stale;
    // so the retries go on until a token asked for after the refusal has been tried, and no further.
    let refusedAt: number | undefined;
    for (let retry = 1; refused(result) && retry <= MAX_TOKEN_RETRIES; retry++) {
      refusedAt ??= this.tokens.mark();
      this.tokens.invalidate(this.owner, token);
      token = await this.authenticated(call);
      const fresh = this.tokens.issuedSince(this.owner, token, refusedAt);
      result = await this.exchange(call, token);
      if (fresh) break;
    }
    return this.settle(call, result);
  }

  /**
   * A token for `call`. A refusal at the token endpoint says nothing about the entity the call is about:
   * a realm the server does not know answers 404 there, which must never read as "entity not found".
   */
  private async authenticated(call: PolarisRequest): Promise<string> {
    try {
      return await this.accessToken();
    } catch (error) {
      if (error instanceof PolarisApiError) {
        throw new PolarisAuthenticationError(call, this.connection, error);
      }
      throw error;
    }
  }

  // Catalogs

  async listCatalogs(): Promise<Catalog[]> {
    const call = { method: "GET", path: managementPath("catalogs"), operation: "list catalogs" } as const;
    return (await this.call<{ catalogs: Catalog[] }>(catalogsSchema, call)).catalogs;
  }

  getCatalog(name: string): Promise<Catalog> {
    return this.call(catalogSchema, {
      method: "GET",
      path: managementPath("catalogs", name),
      operation: "get catalog",
      entity: `catalog ${name}`,
    });
  }

  createCatalog(catalog: Catalog): Promise<Catalog> {
    return this.call(catalogSchema, {
      method: "POST",
      path: managementPath("catalogs"),
      body: { catalog },
      operation: "create catalog",
      entity: `catalog ${catalog.name}`,
    });
  }

  /** `update.currentEntityVersion` must come from a fresh read: Polaris answers 409 to a stale one. */
  updateCatalog(name: string, update: UpdateCatalogRequest): Promise<Catalog> {
    return this.call(catalogSchema, {
      method: "PUT",
      path: managementPath("catalogs", name),
      body: update,
      operation: "update catalog",
      entity: `catalog ${name}`,
    });
  }

  async deleteCatalog(name: string): Promise<void> {
    await this.request({
      method: "DELETE",
      path: managementPath("catalogs", name),
      operation: "delete catalog",
      entity: `catalog ${name}`,
    });
  }

  // Principals

  async listPrincipals(): Promise<Principal[]> {
    const call = { method: "GET", path: managementPath("principals"), operation: "list principals" } as const;
    return (await this.call<{ principals: Principal[] }>(principalsSchema, call)).principals;
  }

  getPrincipal(name: string): Promise<Principal> {
    return this.call(principalSchema, {
      method: "GET",
      path: managementPath("principals", name),
      operation: "get principal",
      entity: `principal ${name}`,
    });
  }

  /** The only answer that carries the new secret; if it is lost, the secret can only be reset. */
  createPrincipal(
    principal: NewPrincipal,
    options: { credentialRotationRequired?: boolean } = {},
  ): Promise<PrincipalWithCredentials> {
    return this.call(principalWithCredentialsSchema, {
      method: "POST",
      path: managementPath("principals"),
      body: { principal, ...options },
      operation: "create principal",
      entity: `principal ${principal.name}`,
    });
  }

  updatePrincipal(name: string, update: UpdatePrincipalRequest): Promise<Principal> {
    return this.call(principalSchema, {
      method: "PUT",
      path: managementPath("principals", name),
      body: update,
      operation: "update principal",
      entity: `principal ${name}`,
    });
  }

  async deletePrincipal(name: string): Promise<void> {
    await this.request({
      method: "DELETE",
      path: managementPath("principals", name),
      operation: "delete principal",
      entity: `principal ${name}`,
    });
  }

  /** Polaris lets only the principal itself rotate its credentials (root gets 403). */
  rotatePrincipalCredentials(name: string): Promise<PrincipalWithCredentials> {
    return this.call(principalWithCredentialsSchema, {
      method: "POST",
      path: managementPath("principals", name, "rotate"),
      operation: "rotate credentials of principal",
      entity: `principal ${name}`,
    });
  }

  /** New credentials: the given ones, or generated ones when left out. */
  resetPrincipalCredentials(
    name: string,
    credentials: ResetPrincipalRequest = {},
  ): Promise<PrincipalWithCredentials> {
    return this.call(principalWithCredentialsSchema, {
      method: "POST",
      path: managementPath("principals", name, "reset"),
      body: credentials,
      operation: "reset credentials of principal",
      entity: `principal ${name}`,
      // Safe to send again: a reset whose answer was lost only issued credentials nobody holds, and the
      // repeat replaces them with ones whose answer arrives (or the same chosen ones).
      idempotent: true,
    });
  }

  // Principal roles

  async listPrincipalRoles(): Promise<PrincipalRole[]> {
    const call = {
      method: "GET",
      path: managementPath("principal-roles"),
      operation: "list principal roles",
    } as const;
    return (await this.call<{ roles: PrincipalRole[] }>(principalRolesSchema, call)).roles;
  }

  getPrincipalRole(name: string): Promise<PrincipalRole> {
    return this.call(principalRoleSchema, {
      method: "GET",
      path: managementPath("principal-roles", name),
      operation: "get principal role",
      entity: `principal role ${name}`,
    });
  }

  createPrincipalRole(role: NewPrincipalRole): Promise<PrincipalRole> {
    return this.call(principalRoleSchema, {
      method: "POST",
      path: managementPath("principal-roles"),
      body: { principalRole: role },
      operation: "create principal role",
      entity: `principal role ${role.name}`,
    });
  }

  updatePrincipalRole(name: string, update: UpdatePrincipalRoleRequest): Promise<PrincipalRole> {
    return this.call(principalRoleSchema, {
      method: "PUT",
      path: managementPath("principal-roles", name),
      body: update,
      operation: "update principal role",
      entity: `principal role ${name}`,
    });
  }

  async deletePrincipalRole(name: string): Promise<void> {
    await this.request({
      method: "DELETE",
      path: managementPath("principal-roles", name),
      operation: "delete principal role",
      entity: `principal role ${name}`,
    });
  }

  // Catalog roles

  async listCatalogRoles(catalog: string): Promise<CatalogRole[]> {
    const call = {
      method: "GET",
      path: managementPath("catalogs", catalog, "catalog-roles"),
      operation: "list catalog roles",
      entity: `of catalog ${catalog}`,
    } as const;
    return (await this.call<{ roles: CatalogRole[] }>(catalogRolesSchema, call)).roles;
  }

  getCatalogRole(catalog: string, name: string): Promise<CatalogRole> {
    return this.call(catalogRoleSchema, {
      method: "GET",
      path: managementPath("catalogs", catalog, "catalog-roles", name),
      operation: "get catalog role",
      entity: catalogRoleEntity(catalog, name),
    });
  }

  createCatalogRole(catalog: string, role: NewCatalogRole): Promise<CatalogRole> {
    return this.call(catalogRoleSchema, {
      method: "POST",
      path: managementPath("catalogs", catalog, "catalog-roles"),
      body: { catalogRole: role },
      operation: "create catalog role",
      entity: catalogRoleEntity(catalog, role.name),
    });
  }

  updateCatalogRole(catalog: string, name: string, update: UpdateCatalogRoleRequest): Promise<CatalogRole> {
    return this.call(catalogRoleSchema, {
      method: "PUT",
      path: managementPath("catalogs", catalog, "catalog-roles", name),
      body: update,
      operation: "update catalog role",
      entity: catalogRoleEntity(catalog, name),
    });
  }

  /** Drops the role's grants with it. */
  async deleteCatalogRole(catalog: string, name: string): Promise<void> {
    await this.request({
      method: "DELETE",
      path: managementPath("catalogs", catalog, "catalog-roles", name),
      operation: "delete catalog role",
      entity: catalogRoleEntity(catalog, name),
    });
  }

  // Assignments. Assigning twice succeeds; revoking what is not assigned answers 400 GRANT_NOT_FOUND.

  async listPrincipalRolesOfPrincipal(principal: string): Promise<PrincipalRole[]> {
    const call = {
      method: "GET",
      path: managementPath("principals", principal, "principal-roles"),
      operation: "list principal roles",
      entity: `of principal ${principal}`,
    } as const;
    return (await this.call<{ roles: PrincipalRole[] }>(principalRolesSchema, call)).roles;
  }

  async listPrincipalsWithRole(principalRole: string): Promise<Principal[]> {
    const call = {
      method: "GET",
      path: managementPath("principal-roles", principalRole, "principals"),
      operation: "list principals",
      entity: `with principal role ${principalRole}`,
    } as const;
    return (await this.call<{ principals: Principal[] }>(principalsSchema, call)).principals;
  }

  async assignPrincipalRole(principal: string, principalRole: string): Promise<void> {
    await this.request({
      method: "PUT",
      path: managementPath("principals", principal, "principal-roles"),
      body: { principalRole: { name: principalRole } },
      operation: "assign principal role",
      entity: `principal role ${principalRole} to principal ${principal}`,
    });
  }

  async revokePrincipalRole(principal: string, principalRole: string): Promise<void> {
    await this.request({
      method: "DELETE",
      path: managementPath("principals", principal, "principal-roles", principalRole),
      operation: "revoke principal role",
      entity: `principal role ${principalRole} from principal ${principal}`,
    });
  }

  async listCatalogRolesOfPrincipalRole(principalRole: string, catalog: string): Promise<CatalogRole[]> {
    const call = {
      method: "GET",
      path: managementPath("principal-roles", principalRole, "catalog-roles", catalog),
      operation: "list catalog roles",
      entity: `of catalog ${catalog} assigned to principal role ${principalRole}`,
    } as const;
    return (await this.call<{ roles: CatalogRole[] }>(catalogRolesSchema, call)).roles;
  }

  async listPrincipalRolesWithCatalogRole(catalog: string, catalogRole: string): Promise<PrincipalRole[]> {
    const call = {
      method: "GET",
      path: managementPath("catalogs", catalog, "catalog-roles", catalogRole, "principal-roles"),
      operation: "list principal roles",
      entity: `with ${catalogRoleEntity(catalog, catalogRole)}`,
    } as const;
    return (await this.call<{ roles: PrincipalRole[] }>(principalRolesSchema, call)).roles;
  }

  async assignCatalogRole(principalRole: string, catalog: string, catalogRole: string): Promise<void> {
    await this.request({
      method: "PUT",
      path: managementPath("principal-roles", principalRole, "catalog-roles", catalog),
      body: { catalogRole: { name: catalogRole } },
      operation: "assign catalog role",
      entity: `${catalogRoleEntity(catalog, catalogRole)} to principal role ${principalRole}`,
    });
  }

  async revokeCatalogRole(principalRole: string, catalog: string, catalogRole: string): Promise<void> {
    await this.request({
      method: "DELETE",
      path: managementPath("principal-roles", principalRole, "catalog-roles", catalog, catalogRole),
      operation: "revoke catalog role",
      entity: `${catalogRoleEntity(catalog, catalogRole)} from principal role ${principalRole}`,
    });
  }

  // Grants, which belong to catalog roles

  async listGrants(catalog: string, catalogRole: string): Promise<Grant[]> {
    const call = {
      method: "GET",
      path: managementPath("catalogs", catalog, "catalog-roles", catalogRole, "grants"),
      operation: "list grants",
      entity: `of ${catalogRoleEntity(catalog, catalogRole)}`,
    } as const;
    return (await this.call<{ grants: Grant[] }>(grantsSchema, call)).grants;
  }

  /** Granting twice succeeds; table, view and policy grants need the object to exist (404 otherwise). */
  async addGrant(catalog: string, catalogRole: string, grant: Grant): Promise<void> {
    await this.request({
      method: "PUT",
      path: managementPath("catalogs", catalog, "catalog-roles", catalogRole, "grants"),
      body: { grant },
      operation: "add grant",
      entity: `${describeGrant(grant)} to ${catalogRoleEntity(catalog, catalogRole)}`,
    });
  }

  /** Revoking what is not granted answers 400 GRANT_NOT_FOUND, also when a lost earlier attempt revoked it. */
  async revokeGrant(catalog: string, catalogRole: string, grant: Grant): Promise<void> {
    await this.request({
      method: "POST",
      path: managementPath("catalogs", catalog, "catalog-roles", catalogRole, "grants"),
      body: { grant },
      operation: "revoke grant",
      entity: `${describeGrant(grant)} from ${catalogRoleEntity(catalog, catalogRole)}`,
      idempotent: true,
    });
  }

  // Namespaces, through the Iceberg REST API

  listNamespaces(catalog: string, options: ListNamespacesOptions = {}): Promise<NamespaceName[]> {
    const context = {
      operation: "list namespaces",
      entity: options.parent ? `in ${namespaceEntity(catalog, options.parent)}` : `in catalog ${catalog}`,
    };
    return collectPages(context, async (pageToken) => {
      const page = await this.call<{ namespaces?: NamespaceName[]; "next-page-token"?: string | null }>(
        namespacePageSchema,
        {
          ...context,
          method: "GET",
          path: namespacePath(catalog),
          query: {
            parent: options.parent?.join(NAMESPACE_SEPARATOR),
            pageSize: options.pageSize,
            pageToken,
          },
        },
      );
      return { items: page.namespaces ?? [], nextPageToken: page["next-page-token"] };
    });
  }

  async getNamespace(catalog: string, namespace: NamespaceName): Promise<Namespace> {
    const found = await this.call<Namespace>(namespaceSchema, {
      method: "GET",
      path: namespacePath(catalog, namespace),
      operation: "get namespace",
      entity: namespaceEntity(catalog, namespace),
    });
    return { ...found, properties: found.properties ?? {} };
  }

  /** The answer holds the properties Polaris added, such as `location`. */
  async createNamespace(
    catalog: string,
    namespace: NamespaceName,
    properties: Record<string, string> = {},
  ): Promise<Namespace> {
    const created = await this.call<Namespace>(namespaceSchema, {
      method: "POST",
      path: namespacePath(catalog),
      body: { namespace, properties },
      operation: "create namespace",
      entity: namespaceEntity(catalog, namespace),
    });
    return { ...created, properties: created.properties ?? {} };
  }

  /** Polaris answers 409 while the namespace holds tables, views or other namespaces. */
  async deleteNamespace(catalog: string, namespace: NamespaceName): Promise<void> {
    await this.request({
      method: "DELETE",
      path: namespacePath(catalog, namespace),
      operation: "delete namespace",
      entity: namespaceEntity(catalog, namespace),
    });
  }

  async updateNamespaceProperties(
    catalog: string,
    namespace: NamespaceName,
    change: UpdateNamespacePropertiesRequest,
  ): Promise<UpdateNamespacePropertiesResponse> {
    const removals = change.removals ?? [];
    const updates = change.updates ?? {};
    // Polaris 1.4.1 applies the updates of a request that also removes keys, skips the removals and
    // answers 409 CommitConflictException; two requests, removals first, do what was asked.
    const removed =
      removals.length > 0 ? await this.postProperties(catalog, namespace, { removals }) : undefined;
    const updated =
      Object.keys(updates).length > 0 || !removed
        ? await this.postProperties(catalog, namespace, { updates })
        : undefined;
    return {
      removed: removed?.removed ?? [],
      missing: removed?.missing ?? [],
      updated: updated?.updated ?? [],
    };
  }

  private postProperties(
    catalog: string,
    namespace: NamespaceName,
    change: UpdateNamespacePropertiesRequest,
  ): Promise<UpdateNamespacePropertiesResponse> {
    return this.call(namespacePropertiesUpdateSchema, {
      method: "POST",
      path: namespacePath(catalog, namespace, "properties"),
      body: change,
      operation: "update properties of namespace",
      entity: namespaceEntity(catalog, namespace),
      // Setting the same values or removing the same keys again changes nothing.
      idempotent: true,
    });
  }

  // Policies, through Polaris' own catalog API. A policy lives in a namespace and is attached to the
  // catalog, a namespace, or a table or view of the same catalog.

  listPolicies(
    catalog: string,
    namespace: NamespaceName,
    options: ListPoliciesOptions = {},
  ): Promise<PolicyIdentifier[]> {
    const context = { operation: "list policies", entity: `in ${namespaceEntity(catalog, namespace)}` };
    return collectPages(context, async (pageToken) => {
      const page = await this.call<{ identifiers?: PolicyIdentifier[]; "next-page-token"?: string | null }>(
        policyPageSchema,
        {
          ...context,
          method: "GET",
          path: policyPath(catalog, namespace, "policies"),
          query: { policyType: options.policyType, pageSize: options.pageSize, pageToken },
        },
      );
      return { items: page.identifiers ?? [], nextPageToken: page["next-page-token"] };
    });
  }

  async getPolicy(catalog: string, namespace: NamespaceName, name: string): Promise<Policy> {
    const loaded = await this.call<{ policy: Policy }>(loadPolicySchema, {
      method: "GET",
      path: policyPath(catalog, namespace, "policies", name),
      operation: "load policy",
      entity: policyEntity(catalog, namespace, name),
    });
    return withoutNulls(loaded.policy);
  }

  /** Polaris validates the content of the built-in types (400 InvalidPolicyException); the version starts at 0. */
  async createPolicy(
    catalog: string,
    namespace: NamespaceName,
    policy: CreatePolicyRequest,
  ): Promise<Policy> {
    const created = await this.call<{ policy: Policy }>(loadPolicySchema, {
      method: "POST",
      path: policyPath(catalog, namespace, "policies"),
      body: policy,
      operation: "create policy",
      entity: policyEntity(catalog, namespace, policy.name),
    });
    return withoutNulls(created.policy);
  }

  /**
   * Replaces description and content, when `current-policy-version` is the policy's version (409
   * PolicyVersionMismatchException otherwise). Send both: one left out is cleared.
   */
  async updatePolicy(
    catalog: string,
    namespace: NamespaceName,
    name: string,
    update: UpdatePolicyRequest,
  ): Promise<Policy> {
    const updated = await this.call<{ policy: Policy }>(loadPolicySchema, {
      method: "PUT",
      path: policyPath(catalog, namespace, "policies", name),
      body: update,
      operation: "update policy",
      entity: policyEntity(catalog, namespace, name),
    });
    return withoutNulls(updated.policy);
  }

  /**
   * Polaris refuses to drop a policy that is still attached (400 PolicyInUseException) unless `detachAll`
   * drops its attachments with it.
   */
  async deletePolicy(
    catalog: string,
    namespace: NamespaceName,
    name: string,
    options: { detachAll?: boolean } = {},
  ): Promise<void> {
    await this.request({
      method: "DELETE",
      path: policyPath(catalog, namespace, "policies", name),
      query: { "detach-all": options.detachAll ? "true" : undefined },
      operation: "delete policy",
      entity: policyEntity(catalog, namespace, name),
    });
  }

  /**
   * Attaching again succeeds (and replaces the parameters). A second policy of the same inheritable type on
   * one target is refused with 409 PolicyMappingAlreadyExistsException; a missing target is 404.
   */
  async attachPolicy(
    catalog: string,
    namespace: NamespaceName,
    name: string,
    target: PolicyAttachmentTarget,
    parameters?: Record<string, string>,
  ): Promise<void> {
    await this.request({
      method: "PUT",
      path: policyPath(catalog, namespace, "policies", name, "mappings"),
      body: { target, ...(parameters ? { parameters } : {}) },
      operation: "attach policy",
      entity: `${policyEntity(catalog, namespace, name)} to ${describeTarget(target)}`,
    });
  }

  /**
   * Polaris 1.4.1 answers 500 (IllegalStateException, "POLICY_MAPPING_NOT_FOUND") when the policy is not
   * attached to the target, and 404 when the policy or the target does not exist.
   */
  async detachPolicy(
    catalog: string,
    namespace: NamespaceName,
    name: string,
    target: PolicyAttachmentTarget,
  ): Promise<void> {
    await this.request({
      method: "POST",
      path: policyPath(catalog, namespace, "policies", name, "mappings"),
      body: { target },
      operation: "detach policy",
      entity: `${policyEntity(catalog, namespace, name)} from ${describeTarget(target)}`,
      // Detaching again leaves the same state (the second answer may be an error).
      idempotent: true,
    });
  }

  /** The policies that apply to the catalog, a namespace, or a table or view, each marked `inherited` or not. */
  getApplicablePolicies(
    catalog: string,
    options: ApplicablePoliciesOptions = {},
  ): Promise<ApplicablePolicy[]> {
    const { namespace, targetName } = options;
    const target = namespace
      ? targetName
        ? `table ${[...namespace, targetName].join(".")} in catalog ${catalog}`
        : namespaceEntity(catalog, namespace)
      : `catalog ${catalog}`;
    const context = { operation: "list policies", entity: `applicable to ${target}` };
    return collectPages(context, async (pageToken) => {
      const page = await this.call<{
        "applicable-policies": ApplicablePolicy[];
        "next-page-token"?: string | null;
      }>(applicablePolicyPageSchema, {
        ...context,
        method: "GET",
        path: policyPath(catalog, undefined, "applicable-policies"),
        query: {
          namespace: namespace?.join(NAMESPACE_SEPARATOR),
          "target-name": targetName,
          policyType: options.policyType,
          pageSize: options.pageSize,
          pageToken,
        },
      });
      return {
        items: page["applicable-policies"].map(withoutNulls),
        nextPageToken: page["next-page-token"],
      };
    });
  }

  // Plumbing

  private async call<T>(schema: z.ZodType, call: PolarisRequest): Promise<T> {
    return validated<T>(schema, await this.request(call), call);
  }

  /**
   * Whether the server still accepts this client's credentials: one token request, never cached. Polaris
   * never returns a secret, so this is how a refresh notices credentials reset by someone else.
   */
  async credentialsAccepted(): Promise<boolean> {
    try {
      await this.issueToken();
      return true;
    } catch (error) {
      if (error instanceof PolarisApiError && (error.status === 401 || error.status === 400)) return false;
      throw error;
    }
  }

  private accessToken(): Promise<string> {
    return this.tokens.get(this.owner, () => this.issueToken());
  }

  private async issueToken(): Promise<IssuedToken> {
    const call: PolarisRequest = {
      method: "POST",
      path: `${CATALOG_API}/oauth/tokens`,
      operation: "request a token",
      entity: `for client ${this.connection.clientId}`,
      // Asking for another token has no effect on the server beyond the token itself.
      idempotent: true,
    };
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.connection.clientId,
      client_secret: this.connection.clientSecret,
      scope: this.owner.scope,
    });
    const result = await this.exchange(call, undefined, form.toString());
    const token = validated<TokenResponse>(tokenResponseSchema, this.settle(call, result, true), call);
    return {
      accessToken: token.access_token,
      lifetimeMs: token.expires_in ? token.expires_in * 1000 : undefined,
    };
  }

  private exchange(call: PolarisRequest, token: string | undefined, form?: string): Promise<RetriedOutcome> {
    const url = this.url(call);
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.connection.realm) headers["polaris-realm"] = this.connection.realm;
    let body = form;
    if (form !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    else if (call.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(call.body);
    }
    return withRetries(this.retry, isRepeatable(call.method, call.idempotent), async () => {
      try {
        const response = await sendHttp({
          url,
          method: call.method,
          headers,
          body,
          timeoutMs: this.connection.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          ca: this.connection.caCertificate,
        });
        return { response };
      } catch (error) {
        return { failure: classifyTransportFailure(error), error };
      }
    });
  }

  private settle(
    call: PolarisRequest,
    { last, attempts, anyRequestSent }: RetriedOutcome,
    tokenRequest = false,
  ): unknown {
    if ("failure" in last) {
      throw new PolarisTransportError(call, last.failure.reason, anyRequestSent, last.error, attempts);
    }
    const { status, text, headers } = last.response;
    const contentType = firstHeader(headers["content-type"]);
    const secrets = [this.connection.clientSecret, ...secretsIn(call.body)];
    if (status < 200 || status >= 300) {
      const details = errorDetails(text);
      const message = details.message === undefined ? undefined : redact(details.message, secrets);
      const remedy = apiErrorRemedy({ status, details, contentType, body: text, tokenRequest });
      throw new PolarisApiError(
        call,
        status,
        { ...details, message, remedy: remedy && redact(remedy, secrets) },
        attempts,
      );
    }
    if (text.trim() === "") return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new PolarisResponseError(call, redact(notJsonRemedy(status, contentType, text), secrets));
    }
  }

  private url(call: PolarisRequest): URL {
    const url = new URL(`${this.base.pathname.replace(/\/+$/, "")}${call.path}`, this.base.origin);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }
}

function parseUri(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`the Polaris uri "${uri}" is not a URL; expected e.g. https://polaris.example.com`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`the Polaris uri "${uri}" must start with http:// or https://`);
  }
  if (url.username || url.password) throw new Error("the Polaris uri must not carry credentials");
  return url;
}

/** Polaris' `{"error":{"message","type"}}`, the OAuth `{"error","error_description"}`, or nothing usable. */
function errorDetails(text: string): PolarisErrorDetails {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  const error = (body as { error?: unknown } | null)?.error;
  if (error && typeof error === "object") {
    const { message, type } = error as { message?: unknown; type?: unknown };
    return { message: stringOrUndefined(message), type: stringOrUndefined(type) };
  }
  if (typeof error === "string") {
    const description = stringOrUndefined((body as { error_description?: unknown }).error_description);
    return { message: description ? `${error}: ${description}` : error, type: error };
  }
  return {};
}

// Values under secret-looking keys of a request body, which an error message must never repeat.
function secretsIn(body: unknown): string[] {
  if (!body || typeof body !== "object") return [];
  return Object.entries(body).flatMap(([key, value]) => {
    if (typeof value === "string") return /secret|password|token/i.test(key) ? [value] : [];
    return secretsIn(value);
  });
}

function refused({ last }: RetriedOutcome): boolean {
  return !("failure" in last) && last.response.status === 401;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function catalogRoleEntity(catalog: string, role: string): string {
  return `catalog role ${role} in catalog ${catalog}`;
}

function namespaceEntity(catalog: string, namespace: NamespaceName): string {
  return `namespace ${namespace.join(".")} in catalog ${catalog}`;
}

function policyEntity(catalog: string, namespace: NamespaceName, name: string): string {
  return `policy ${name} in namespace ${namespace.join(".")} of catalog ${catalog}`;
}

function describeTarget(target: PolicyAttachmentTarget): string {
  const path = (target.path ?? []).join(".");
  switch (target.type) {
    case "catalog":
      return "the catalog";
    case "namespace":
      return `namespace ${path}`;
    case "table-like":
      return `table ${path}`;
  }
}

/** Polaris answers `null` for a policy's unset description; the generated types say absent. */
function withoutNulls<T extends object>(policy: T): T {
  return Object.fromEntries(Object.entries(policy).filter(([, value]) => value !== null)) as T;
}

function describeGrant(grant: Grant): string {
  switch (grant.type) {
    case "catalog":
      return `${grant.privilege} on the catalog`;
    case "namespace":
      return `${grant.privilege} on namespace ${grant.namespace.join(".")}`;
    case "table":
      return `${grant.privilege} on table ${[...grant.namespace, grant.tableName].join(".")}`;
    case "view":
      return `${grant.privilege} on view ${[...grant.namespace, grant.viewName].join(".")}`;
    case "policy":
      return `${grant.privilege} on policy ${[...grant.namespace, grant.policyName].join(".")}`;
  }
}
