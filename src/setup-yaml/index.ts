/**
 * `polaris setup` YAML interop: read and validate the YAML that the official CLI's `setup apply` reads,
 * declare it with this library's resources (PolarisSetup), write a stack's entities back as such a YAML
 * (the setup-export command), and normalize two YAMLs to compare them. Import it from
 * `polaris-pulumi/setup-yaml`.
 *
 * @module setup-yaml
 */
export { type StackEntities, stackEntities } from "./export/state";
export { type SetupExport, toSetupYaml } from "./export/to-setup-yaml";
export { type NormalizedSetup, type NormalizeOptions, normalizePlan, normalizeSetupYaml } from "./normalize";
export { type PlannedCatalog, type PlanOptions, planSetup, SERVER_FILLED_KEYS, type SetupPlan } from "./plan";
export { PolarisSetup, type PolarisSetupArgs, type PrincipalCredentials } from "./polaris-setup";
export { keyPath, SetupYamlError } from "./problems";
export { parseSetupYaml, readSetupYamlFile, validateSetupDocument } from "./read";
export type { SetupCatalog, SetupDocument } from "./schema";
export { parseYamlText, toYamlText } from "./yaml-text";
