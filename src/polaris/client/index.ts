/** A REST client for Apache Polaris 1.4.1: management API, Iceberg namespaces, OAuth2 tokens. No Pulumi. */
export {
  type ListNamespacesOptions,
  managementPath,
  type NewCatalogRole,
  type NewPrincipal,
  type NewPrincipalRole,
  namespacePath,
  PolarisClient,
  type PolarisClientOptions,
  type PolarisConnection,
  type PolarisRequest,
} from "./client";
export {
  type ErrorContext,
  isPolarisApiError,
  PolarisApiError,
  PolarisAuthenticationError,
  PolarisResponseError,
  PolarisTransportError,
  type TransportFailureReason,
} from "./errors";
export { closeHttpPools, type HttpMethod } from "./http";
export { DEFAULT_RETRY_POLICY, type RetryNotice, type RetryPolicy } from "./retry";
export { sharedTokenCache, TokenCache } from "./token";
export type * from "./types";
