import { createHash } from "node:crypto";

/** Storage types a Polaris catalog may use. FILE is for local tests only. */
export type PolarisStorageType = "S3" | "FILE" | "GCS" | "AZURE";

/** A Polaris feature flag value, written as Polaris parses it (lists as JSON arrays). */
export type FeatureFlagValue = boolean | number | string | readonly string[];

/** Polaris' metastore: `in-memory` (lost on restart) or `relational-jdbc` (PostgreSQL). */
export type PolarisPersistenceType = "in-memory" | "relational-jdbc";

/** Quarkus log levels, from most to least verbose. */
export type QuarkusLogLevel = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR";

/** Everything application.properties is made from; plain values only, so the file is known at preview. */
export interface PolarisPropertySettings {
  realm: string;
  persistence: PolarisPersistenceType;
  logLevel: QuarkusLogLevel;
  supportedStorageTypes: readonly PolarisStorageType[];
  featureFlags: Readonly<Record<string, FeatureFlagValue>>;
  /** Folder holding public.pem and private.pem of a shared token-broker key pair, when one is mounted. */
  tokenBrokerKeyDir?: string;
  apiPort: number;
  managementPort: number;
  /** Extra properties, appended last in key order; they may not redefine a property set above. */
  additionalProperties: Readonly<Record<string, string>>;
}

/** Feature flags this component sets from its own arguments; users set them through those arguments. */
export const MANAGED_FEATURE_FLAGS = ["SUPPORTED_CATALOG_STORAGE_TYPES", "ALLOW_INSECURE_STORAGE_TYPES"];

const featureKey = (flag: string) => `polaris.features."${flag}"`;

function featureValue(value: FeatureFlagValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The Polaris/Quarkus properties for one server, in a stable order so that a preview diff of the ConfigMap
 * shows only the lines that changed.
 */
export function polarisProperties(settings: PolarisPropertySettings): Map<string, string> {
  const properties = new Map<string, string>();
  // Pinned explicitly because the Service, the probes and the NetworkPolicy all assume these ports.
  properties.set("quarkus.http.port", String(settings.apiPort));
  properties.set("quarkus.management.port", String(settings.managementPort));
  properties.set("quarkus.log.level", settings.logLevel);
  properties.set("polaris.realm-context.realms", settings.realm);
  properties.set("polaris.persistence.type", settings.persistence);

  properties.set(
    featureKey("SUPPORTED_CATALOG_STORAGE_TYPES"),
    JSON.stringify([...settings.supportedStorageTypes]),
  );
  if (settings.supportedStorageTypes.includes("FILE")) {
    // Polaris refuses FILE storage unless insecure types are allowed, and then reports a severe readiness
    // issue that keeps /q/health/ready down unless told to ignore it.
    properties.set(featureKey("ALLOW_INSECURE_STORAGE_TYPES"), "true");
    properties.set("polaris.readiness.ignore-severe-issues", "true");
  }
  for (const flag of Object.keys(settings.featureFlags).sort()) {
    properties.set(featureKey(flag), featureValue(settings.featureFlags[flag]!));
  }

  if (settings.tokenBrokerKeyDir !== undefined) {
    properties.set("polaris.authentication.token-broker.type", "rsa-key-pair");
    properties.set(
      "polaris.authentication.token-broker.rsa-key-pair.public-key-file",
      `${settings.tokenBrokerKeyDir}/public.pem`,
    );
    properties.set(
      "polaris.authentication.token-broker.rsa-key-pair.private-key-file",
      `${settings.tokenBrokerKeyDir}/private.pem`,
    );
  }
  for (const key of Object.keys(settings.additionalProperties).sort()) {
    properties.set(key, settings.additionalProperties[key]!);
  }
  return properties;
}

// java.util.Properties treats '=', ':' and whitespace as the end of a key, and backslashes as escapes.
function escapeKey(key: string): string {
  return key.replace(/[\\=: ]/g, (character) => `\\${character}`);
}

function escapeValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/** Renders properties as the text of an application.properties file. */
export function renderProperties(properties: ReadonlyMap<string, string>): string {
  const lines = [...properties].map(([key, value]) => `${escapeKey(key)}=${escapeValue(value)}`);
  return `${lines.join("\n")}\n`;
}

/**
 * A short digest of the file, used in the ConfigMap's name: a changed file gets a new ConfigMap and therefore
 * a new pod template, so the Deployment rolls out, and the old ConfigMap stays until the rollout is done.
 */
export function contentDigest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 10);
}
