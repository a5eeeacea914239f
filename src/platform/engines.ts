/**
 * How engines connect to a catalog of the platform: a DuckDB ATTACH statement, PyIceberg catalog
 * properties, Spark conf and the `catalogs:` section of floe's platform.yaml. Plain functions over plain
 * values; the platform applies them to its outputs. Secrets appear only where an engine needs them, and
 * the floe section names secrets by `secret_ref`, never by value.
 */

export interface CatalogEndpoint {
  /** The Iceberg REST base, `<polaris>/api/catalog`. */
  catalogUri: string;
  /** The catalog name, which engines call the warehouse. */
  warehouse: string;
  /** Whether engines ask Polaris for vended storage credentials (`none`: they bring their own). */
  accessDelegation: "vended-credentials" | "none";
}

/** A principal's OAuth2 client credentials, which engines exchange for a token at the catalog. */
export interface ClientCredentials {
  /** The principal's client id. */
  clientId: string;
  /** The principal's client secret. */
  clientSecret: string;
}

/** DuckDB 1.5 with the iceberg extension: ATTACH the catalog as `alias`. */
export function duckdbAttach(
  endpoint: CatalogEndpoint,
  credentials: ClientCredentials,
  alias = "polaris_catalog",
): string {
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const base = endpoint.catalogUri.replace(/\/+$/, "");
  const options = [
    "TYPE ICEBERG",
    `CLIENT_ID ${quote(credentials.clientId)}`,
    `CLIENT_SECRET ${quote(credentials.clientSecret)}`,
    `OAUTH2_SERVER_URI ${quote(`${base}/v1/oauth/tokens`)}`,
    `ENDPOINT ${quote(base)}`,
    "SUPPORT_NESTED_NAMESPACES true",
    ...(endpoint.accessDelegation === "none" ? ["ACCESS_DELEGATION_MODE 'none'"] : []),
  ];
  return `ATTACH ${quote(endpoint.warehouse)} AS ${alias} (${options.join(", ")});`;
}

/** `load_catalog(name, **properties)` for PyIceberg 0.12. */
export function pyicebergProperties(
  endpoint: CatalogEndpoint,
  credentials: ClientCredentials,
): Record<string, string> {
  return {
    type: "rest",
    uri: endpoint.catalogUri,
    warehouse: endpoint.warehouse,
    credential: `${credentials.clientId}:${credentials.clientSecret}`,
    scope: "PRINCIPAL_ROLE:ALL",
    "header.X-Iceberg-Access-Delegation":
      endpoint.accessDelegation === "vended-credentials" ? "vended-credentials" : "",
  };
}

/** Spark conf for the Iceberg Spark runtime's REST catalog, registered as `catalogName`. */
export function sparkConf(
  endpoint: CatalogEndpoint,
  credentials: ClientCredentials,
  catalogName = "polaris",
): Record<string, string> {
  const prefix = `spark.sql.catalog.${catalogName}`;
  return {
    "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    [prefix]: "org.apache.iceberg.spark.SparkCatalog",
    [`${prefix}.type`]: "rest",
    [`${prefix}.uri`]: endpoint.catalogUri,
    [`${prefix}.warehouse`]: endpoint.warehouse,
    [`${prefix}.credential`]: `${credentials.clientId}:${credentials.clientSecret}`,
    [`${prefix}.scope`]: "PRINCIPAL_ROLE:ALL",
    ...(endpoint.accessDelegation === "vended-credentials"
      ? { [`${prefix}.header.X-Iceberg-Access-Delegation`]: "vended-credentials" }
      : {}),
  };
}

/** The `catalogs:` section of floe's platform.yaml: connection settings and secret_ref names only. */
export function floeCatalogsYaml(endpoint: CatalogEndpoint, principals: Record<string, string>): string {
  const lines = [
    "catalogs:",
    `  ${endpoint.warehouse}:`,
    "    type: polaris",
    `    uri: ${endpoint.catalogUri}`,
    `    warehouse: ${endpoint.warehouse}`,
    `    access_delegation: ${endpoint.accessDelegation}`,
    "    scope: PRINCIPAL_ROLE:ALL",
    "    credentials:",
  ];
  for (const [principal, secretRef] of Object.entries(principals)) {
    lines.push(`      ${principal}:`, `        secret_ref: ${secretRef}`);
  }
  return `${lines.join("\n")}\n`;
}
