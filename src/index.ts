/**
 * polaris-pulumi: Apache Polaris as code.
 *
 * `management` holds the resources for Polaris entities (catalogs, namespaces, principals, roles,
 * assignments); `aws` and `k8s` hold the infrastructure components; `lazyProvider` is how this library's
 * dynamic providers stay small when Pulumi serializes them into state.
 */
export * as aws from "./aws";
export { lazyProvider } from "./dynamic/lazy-provider";
export * as k8s from "./k8s";
export * as management from "./management";
export * as platform from "./platform";
