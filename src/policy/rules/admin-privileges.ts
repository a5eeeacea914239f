import type { Rule } from "../rule";
import { at, type PolicySubject, TYPES, type Violation } from "../subject";

const ADMIN_PRIVILEGES = ["CATALOG_MANAGE_ACCESS", "CATALOG_MANAGE_CONTENT"];
/** Polaris' built-in catalog role holds both on every catalog. */
const BUILT_IN_ADMIN_ROLE = "catalog_admin";

/** Settings of the `catalog-admin-privileges` rule. */
export interface AdminPrivilegesConfig {
  /** Principal roles that may hold catalog-admin privileges. @default ["service_admin"] */
  adminPrincipalRoles: string[];
}

/**
 * CATALOG_MANAGE_ACCESS lets a role grant itself anything in the catalog, and CATALOG_MANAGE_CONTENT lets
 * it drop every table: they reach a principal role only through a catalog role assigned to it, so the
 * rule follows grants to catalog roles and catalog roles to principal roles.
 */
export const adminPrivileges: Rule<AdminPrivilegesConfig> = {
  name: "catalog-admin-privileges",
  description: `${ADMIN_PRIVILEGES.join(" and ")} reach only allow-listed admin principal roles.`,
  scope: "stack",
  configSchema: {
    properties: {
      adminPrincipalRoles: {
        type: "array",
        items: { type: "string" },
        default: ["service_admin"],
        description: "Principal roles allowed to hold catalog-admin privileges.",
      },
    },
  },
  check(subjects, config) {
    const adminCatalogRoles = catalogRolesWithAdminPrivileges(subjects);
    const violations: Violation[] = [];
    for (const assignment of subjects.filter((s) => s.type === TYPES.catalogRoleAssignment)) {
      const { catalog, catalogRole, principalRole } = assignment.props as Record<string, string | undefined>;
      if (catalog === undefined || catalogRole === undefined || principalRole === undefined) continue;
      const privileges =
        catalogRole === BUILT_IN_ADMIN_ROLE
          ? ADMIN_PRIVILEGES
          : adminCatalogRoles.get(`${catalog}/${catalogRole}`);
      if (!privileges || config.adminPrincipalRoles.includes(principalRole)) continue;
      violations.push({
        urn: assignment.urn,
        message:
          `${assignment.name}: principal role ${principalRole} gets ${privileges.join(" and ")} on catalog ` +
          `${catalog} through catalog role ${catalogRole}. Grant those privileges only to an admin role ` +
          `(allowed: ${config.adminPrincipalRoles.join(", ")}), or add ${principalRole} to this rule's ` +
          "adminPrincipalRoles in the policy pack config.",
      });
    }
    return violations;
  },
};

/** "catalog/role" → the admin privileges granted to it in this stack. */
function catalogRolesWithAdminPrivileges(subjects: PolicySubject[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const note = (subject: PolicySubject, grants: unknown[]) => {
    const { catalog, catalogRole } = subject.props as Record<string, string | undefined>;
    if (catalog === undefined || catalogRole === undefined) return;
    for (const grant of grants) {
      const privilege = at(grant, "privilege");
      if (typeof privilege !== "string" || !ADMIN_PRIVILEGES.includes(privilege)) continue;
      const key = `${catalog}/${catalogRole}`;
      const held = found.get(key) ?? [];
      if (!held.includes(privilege)) found.set(key, [...held, privilege].sort());
    }
  };
  for (const subject of subjects) {
    if (subject.type === TYPES.catalogGrant) note(subject, [subject.props.grant]);
    if (subject.type === TYPES.catalogGrantSet) {
      const grants = subject.props.grants;
      // Inputs hold the set as a map keyed by grant id; a program under mocks may still hold the list.
      note(subject, Array.isArray(grants) ? grants : Object.values((grants as object | undefined) ?? {}));
    }
  }
  return found;
}
