/**
 * The reference platform (DESIGN.md §2), declared once for every environment: one catalog, its
 * bronze/silver/gold namespaces, a content-admin role, and least privilege per persona. Plain data.
 */
import type { GrantArgs } from "../dynamic/grants";

/** The personas of the reference platform; each is one principal. */
export type PersonaName = "engineer" | "analyst";

/** A kind of user of the platform, with the least privilege it needs. */
export interface Persona {
  /** The principal's name. */
  principal: PersonaName;
  /** The principal role granted to the principal. */
  principalRole: string;
  /** The catalog role that holds the persona's grants, assigned to its principal role. */
  catalogRole: string;
  /** What the catalog role holds, authoritatively (a CatalogGrantSet). */
  grants: GrantArgs[];
  /** The secret_ref name under which the persona's credentials are delivered. */
  secretRef: string;
}

const gold = ["demo", "gold"];
const silver = ["demo", "silver"];

/** The reference platform as data; PolarisPlatform declares it on a Polaris. */
export const REFERENCE_PLATFORM = {
  /** The catalog's name, which engines call the warehouse. */
  catalog: "demo_catalog",
  /** The namespaces, as dotted paths, parents before children. */
  namespaces: ["demo", "demo.bronze", "demo.silver", "demo.gold"],
  /**
   * Governance properties declared on namespaces: the gold layer names its owner and classification, which
   * engines propagate to the tables below and the policy pack requires in production.
   */
  namespaceProperties: {
    "demo.gold": { owner: "data-platform", classification: "curated" },
  } as Readonly<Record<string, Readonly<Record<string, string>>>>,
  /** The catalog's content administrators: a catalog role assigned to the built-in `service_admin`. */
  adminRole: {
    /** The catalog role's name. */
    name: "demo_data_admin",
    /** The catalog-level privileges it holds. */
    privileges: [
      "CATALOG_MANAGE_CONTENT",
      "TABLE_CREATE",
      "TABLE_DROP",
      "TABLE_READ_DATA",
      "TABLE_WRITE_DATA",
      "NAMESPACE_CREATE",
      "NAMESPACE_DROP",
      "VIEW_CREATE",
      "VIEW_DROP",
    ],
  },
  /**
   * The engineer (writes `demo.gold`, reads `demo.silver`) and the analyst (reads `demo.gold`), each a
   * {@link Persona}.
   */
  personas: [
    {
      principal: "engineer",
      principalRole: "data_engineer",
      catalogRole: "demo_engineering",
      secretRef: "polaris-engineer-credentials",
      grants: [
        { type: "namespace", namespace: ["demo"], privilege: "NAMESPACE_LIST" },
        { type: "namespace", namespace: gold, privilege: "NAMESPACE_READ_PROPERTIES" },
        { type: "namespace", namespace: gold, privilege: "TABLE_LIST" },
        { type: "namespace", namespace: gold, privilege: "TABLE_CREATE" },
        { type: "namespace", namespace: gold, privilege: "TABLE_WRITE_DATA" },
        { type: "namespace", namespace: gold, privilege: "TABLE_READ_DATA" },
        { type: "namespace", namespace: silver, privilege: "NAMESPACE_READ_PROPERTIES" },
        { type: "namespace", namespace: silver, privilege: "TABLE_LIST" },
        { type: "namespace", namespace: silver, privilege: "TABLE_READ_DATA" },
      ],
    },
    {
      principal: "analyst",
      principalRole: "data_analyst",
      catalogRole: "demo_analytics",
      secretRef: "polaris-analyst-credentials",
      grants: [
        { type: "namespace", namespace: ["demo"], privilege: "NAMESPACE_LIST" },
        { type: "namespace", namespace: gold, privilege: "NAMESPACE_READ_PROPERTIES" },
        { type: "namespace", namespace: gold, privilege: "TABLE_LIST" },
        { type: "namespace", namespace: gold, privilege: "TABLE_READ_DATA" },
      ],
    },
  ] satisfies Persona[],
} as const;
