/**
 * Management as code: dynamic resources for Polaris entities, run by the Pulumi engine through providers
 * that load this library's entity modules by name (src/entities), over the REST client (src/polaris/client).
 * Import it from `polaris-pulumi/management`.
 *
 * @module management
 */
export * from "./dynamic/assignments";
export * from "./dynamic/catalog";
export {
  CatalogGrant,
  type CatalogGrantArgs,
  CatalogGrantSet,
  type CatalogGrantSetArgs,
  type GrantArgs,
} from "./dynamic/grants";
export type { ManagementArgs, PolarisConnectionArgs } from "./dynamic/management-resource";
export * from "./dynamic/namespace";
export type * from "./dynamic/policy";
export { Policy, PolicyAttachment } from "./dynamic/policy";
export * from "./dynamic/principal";
export * from "./dynamic/roles";
