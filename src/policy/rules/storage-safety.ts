import type { Rule } from "../rule";
import {
  at,
  isPolarisObject,
  isProduction,
  PROD_STACKS_SCHEMA,
  type ProductionConfig,
  TYPES,
  type Violation,
} from "../subject";

const UNRESTRICTED = "ALLOW_UNRESTRICTED_STORAGE_CONFIG_ROLE_CHANGES";

/**
 * FILE storage puts table data on the server's own disk with no credential vending at all, and
 * unrestricted storage changes let a catalog's role be swapped for one that reaches other data.
 */
export const storageSafety: Rule<ProductionConfig & { appName: string }> = {
  name: "prod-storage-safety",
  description: `In production, no catalog uses FILE storage and Polaris does not run with ${UNRESTRICTED}.`,
  scope: "resource",
  configSchema: {
    properties: {
      prodStacks: PROD_STACKS_SCHEMA,
      appName: {
        type: "string",
        default: "polaris",
        description: "The app.kubernetes.io/name label that marks Polaris' Kubernetes objects.",
      },
    },
  },
  check(subject, config) {
    if (!isProduction(subject, config)) return [];
    const violations: Violation[] = [];
    const report = (message: string) =>
      violations.push({ urn: subject.urn, message: `${subject.name}: ${message}` });
    if (subject.type === TYPES.catalog) {
      if (at(subject.props, "storage", "storageType") === "FILE") {
        report("FILE storage in production keeps tables on the server's disk. Use S3, GCS or AZURE storage.");
      }
      if (subject.props.allowUnrestrictedStorageChanges === true) {
        report(
          `allowUnrestrictedStorageChanges relies on ${UNRESTRICTED}. Remove it, and replace the catalog to change its storage role.`,
        );
      }
    }
    if (subject.type === TYPES.configMap && isPolarisObject(subject, config.appName)) {
      const properties = at(subject.props, "data", "application.properties");
      if (typeof properties === "string") {
        const flag = (name: string) =>
          properties.match(new RegExp(`^polaris\\.features\\."${name}"=(.*)$`, "m"))?.[1];
        if (flag(UNRESTRICTED)?.trim() === "true") {
          report(`Polaris runs with ${UNRESTRICTED}=true. Remove it from PolarisServer's featureFlags.`);
        }
        if (flag("SUPPORTED_CATALOG_STORAGE_TYPES")?.includes('"FILE"')) {
          report('Polaris allows FILE storage. Remove "FILE" from PolarisServer\'s supportedStorageTypes.');
        }
      }
    }
    return violations;
  },
};
