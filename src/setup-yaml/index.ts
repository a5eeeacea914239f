/**
 * `polaris setup` YAML interop: declare the entities of the YAML that the official CLI's `setup apply`
 * reads with this library's resources ({@link PolarisSetup}), check such a YAML before deploying
 * ({@link readSetupYamlFile}, {@link parseSetupYaml}, {@link validateSetupDocument}), and write a stack's
 * entities back as one ({@link exportSetupYaml}, also the `polaris-pulumi-setup-export` command).
 * Import it from `polaris-pulumi/setup-yaml`, or as `setupYaml` from `polaris-pulumi`.
 *
 * @module setup-yaml
 */
export type {
  SetupAttachment,
  SetupAuthentication,
  SetupCatalog,
  SetupCatalogRole,
  SetupConnection,
  SetupDocument,
  SetupNamespace,
  SetupNamespacePrivileges,
  SetupPolicy,
  SetupPrincipal,
  SetupPrincipalRole,
  SetupPrivileges,
  SetupServiceIdentity,
} from "./document";
export { exportSetupYaml, type SetupYamlExport } from "./export/export-setup-yaml";
export type { SetupExportDocument } from "./export/to-setup-yaml";
export { PolarisSetup, type PolarisSetupArgs, type PrincipalCredentials } from "./polaris-setup";
export { SetupYamlError } from "./problems";
export { parseSetupYaml, readSetupYamlFile, validateSetupDocument } from "./read";
