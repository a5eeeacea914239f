/**
 * The platform composition: the typed per-environment spec and the reference platform on one Polaris.
 * Import it from `polaris-pulumi/platform`.
 *
 * @module platform
 */

export * from "./deploy";
export * from "./engines";
export * from "./polaris-platform";
export * from "./reference";
export * from "./spec";
