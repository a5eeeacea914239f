import type { Rule } from "../rule";
import { isProduction, PROD_STACKS_SCHEMA, type ProductionConfig, TYPES } from "../subject";

/** Settings of the `prod-namespace-governance` rule. */
export interface NamespaceGovernanceConfig extends ProductionConfig {
  /** Namespaces at or under these dotted paths are governed. @default ["demo.gold"] */
  prefixes: string[];
  /** Properties a governed namespace declares. @default ["owner", "classification"] */
  requiredProperties: string[];
}

/**
 * Governed data (the gold layer) carries its owner and classification on the namespace, where engines and
 * catalogs that propagate classification read them.
 */
export const namespaceGovernance: Rule<NamespaceGovernanceConfig> = {
  name: "prod-namespace-governance",
  description:
    "In production, namespaces under governed prefixes declare owner and classification properties.",
  scope: "resource",
  configSchema: {
    properties: {
      prodStacks: PROD_STACKS_SCHEMA,
      prefixes: {
        type: "array",
        items: { type: "string" },
        default: ["demo.gold"],
        description: "Dotted namespace paths whose namespaces (and those below) are governed.",
      },
      requiredProperties: {
        type: "array",
        items: { type: "string" },
        default: ["owner", "classification"],
        description: "Properties every governed namespace declares.",
      },
    },
  },
  check(subject, config) {
    if (subject.type !== TYPES.namespace || !isProduction(subject, config)) return [];
    const levels = subject.props.levels;
    if (!Array.isArray(levels) || levels.some((level) => typeof level !== "string")) return [];
    const path = levels.join(".");
    const governedBy = config.prefixes.find((prefix) => path === prefix || path.startsWith(`${prefix}.`));
    if (governedBy === undefined) return [];
    const declared = (subject.props.properties as Record<string, unknown> | undefined) ?? {};
    const missing = config.requiredProperties.filter(
      (key) => typeof declared[key] !== "string" || declared[key] === "",
    );
    if (missing.length === 0) return [];
    return [
      {
        urn: subject.urn,
        message:
          `${subject.name}: namespace ${path} is governed (under ${governedBy}) and must declare ` +
          `${missing.join(" and ")} in its properties, e.g. properties: { ${missing.map((key) => `${key}: "..."`).join(", ")} }.`,
      },
    ];
  },
};
