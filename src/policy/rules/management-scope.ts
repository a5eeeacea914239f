import type { Rule } from "../rule";
import { DYNAMIC, isProduction, PROD_STACKS_SCHEMA, type ProductionConfig } from "../subject";

const EVERY_ROLE = "PRINCIPAL_ROLE:ALL";

/**
 * A token with every principal role of the management principal can do whatever root can; in production
 * the providers should ask for the one role they need (PolarisServer's connection asks for service_admin).
 */
export const managementScope: Rule<ProductionConfig> = {
  name: "prod-management-scope",
  description: `In production, Polaris management connections ask for a narrower OAuth scope than ${EVERY_ROLE}.`,
  scope: "resource",
  configSchema: { properties: { prodStacks: PROD_STACKS_SCHEMA } },
  check(subject, config) {
    if (!subject.type.startsWith(DYNAMIC) || !isProduction(subject, config)) return [];
    const connection = subject.props.connection as { uri?: unknown; scope?: unknown } | undefined;
    // No connection here: it comes from stack config (polaris:scope) or the environment, which a policy
    // cannot see; an unknown one is judged at `up`, when it is known.
    if (connection === undefined || connection.uri === undefined) return [];
    if (connection.scope !== undefined && connection.scope !== EVERY_ROLE) return [];
    const how =
      connection.scope === undefined ? `sets no scope, so it gets ${EVERY_ROLE}` : `asks for ${EVERY_ROLE}`;
    return [
      {
        urn: subject.urn,
        message:
          `${subject.name}: the connection ${how} in a production stack. Set connection.scope to the one ` +
          'principal role management needs, e.g. "PRINCIPAL_ROLE:service_admin" (PolarisServer\'s connection ' +
          "does), or set polaris:scope in stack config.",
      },
    ];
  },
};
