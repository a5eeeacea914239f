/**
 * polaris-pulumi: Apache Polaris as code.
 *
 * `management` holds the resources for Polaris entities (catalogs, namespaces, principals, roles,
 * assignments); `aws` and `k8s` hold the infrastructure components; `lazyProvider` is how this library's
 * dynamic providers stay small when Pulumi serializes them into state.
 *
 * Each namespace is also its own entry point (`polaris-pulumi/management`, `/platform`, `/k8s`, `/aws`,
 * `/setup-yaml`), documented as a module of its own.
 *
 * @module polaris-pulumi
 */
export * as aws from "./aws";
export { lazyProvider } from "./dynamic/lazy-provider";
export * as k8s from "./k8s";
export * as management from "./management";
export * as platform from "./platform";
export * as setupYaml from "./setup-yaml";
