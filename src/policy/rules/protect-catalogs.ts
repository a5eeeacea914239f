import type { Rule } from "../rule";
import { isProduction, PROD_STACKS_SCHEMA, type ProductionConfig, TYPES } from "../subject";

/** Deleting a catalog resource deletes the catalog in Polaris; in production that takes `protect` off first. */
export const protectCatalogs: Rule<ProductionConfig> = {
  name: "prod-protect-catalogs",
  description: "In production, every Catalog resource is protected from deletion.",
  scope: "resource",
  configSchema: { properties: { prodStacks: PROD_STACKS_SCHEMA } },
  check(subject, config) {
    if (subject.type !== TYPES.catalog || !isProduction(subject, config) || subject.protect) return [];
    return [
      {
        urn: subject.urn,
        message:
          `${subject.name}: a production catalog without protect can be deleted by a single \`pulumi up\`. ` +
          "Set the resource option protect: true (PolarisPlatform: stack config polaris-platform:protect: true).",
      },
    ];
  },
};
