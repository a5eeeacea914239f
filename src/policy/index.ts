/**
 * The polaris-pulumi CrossGuard policy pack: guardrails a reviewer would otherwise have to spot in a
 * preview. Run it with `pulumi preview --policy-pack node_modules/polaris-pulumi/policy`; the config
 * interfaces here are the settings `--policy-pack-config` takes per rule.
 *
 * @module policy
 */
export { policies, RULES } from "./pack";
export { defaultConfig, type Rule } from "./rule";
export type { AdminPrivilegesConfig } from "./rules/admin-privileges";
export type { BucketHardeningConfig } from "./rules/bucket-hardening";
export type { ExposureConfig } from "./rules/exposure";
export type { NamespaceGovernanceConfig } from "./rules/namespace-governance";
export { isProduction, type PolicySubject, type ProductionConfig, stackOf, type Violation } from "./subject";
