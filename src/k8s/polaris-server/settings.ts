import type * as pulumi from "@pulumi/pulumi";
import type { PolarisHttpRouteArgs, PolarisServerArgs } from "./args";
import { type ApiClients, type PolarisNetworkPeer, peerProblem } from "./network-policy";
import {
  MANAGED_FEATURE_FLAGS,
  type PolarisPersistenceType,
  type PolarisPropertySettings,
  type PolarisStorageType,
  polarisProperties,
} from "./properties";

export const DEFAULT_IMAGE = "apache/polaris:1.8.0";
export const ADMIN_TOOL_REPOSITORY = "apache/polaris-admin-tool";
export const DEFAULT_REALM = "POLARIS";
export const DEFAULT_ROOT_CLIENT_ID = "root";
export const DEFAULT_RESOURCES = {
  requests: { cpu: "250m", memory: "1Gi" },
  // Memory limit equals the request: a JVM sizes its heap from the limit, and a pod that may use more than
  // it asked for is the first one the kubelet evicts under pressure.
  limits: { cpu: "2", memory: "1Gi" },
};
export const DEFAULT_TARGET_CPU_UTILIZATION = 75;
export const DEFAULT_SCRAPE_INTERVAL = "30s";
export const API_PORT = 8181;
export const MANAGEMENT_PORT = 8182;

/** Where the JDBC connection settings come from. */
export type JdbcSource =
  | { kind: "existing-secret"; secretName: pulumi.Input<string> }
  | {
      kind: "managed-secret";
      url: pulumi.Input<string>;
      username: pulumi.Input<string>;
      password: pulumi.Input<string>;
    };

/** The arguments with defaults applied and every cross-field rule checked. */
export interface PolarisServerSettings {
  image: string;
  adminToolImage: string;
  realm: string;
  rootClientId: string;
  persistence: PolarisPersistenceType;
  jdbc?: JdbcSource;
  replicas: number;
  /** Present only when replicas > 1. */
  autoscaling?: { minReplicas: number; maxReplicas: number; targetCpuUtilization: number };
  tokenBroker?: { secretName: pulumi.Input<string>; publicKeyKey: string; privateKeyKey: string };
  supportedStorageTypes: readonly PolarisStorageType[];
  networkPolicy?: { apiClients: ApiClients; managementClients: readonly PolarisNetworkPeer[] };
  httpRoute?: PolarisHttpRouteArgs & { hostnames: readonly string[]; scheme: "http" | "https" };
  serviceMonitor?: { interval: string; labels: Record<string, string> };
  staticAwsCredentials?: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> };
  properties: Omit<PolarisPropertySettings, "tokenBrokerKeyDir">;
}

// Kubernetes object names are derived from the component name, and the Service's must be a DNS-1035
// label; the longest suffix added ("-storage-credentials") still fits in 63 characters.
const K8S_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
const STORAGE_TYPES: readonly PolarisStorageType[] = ["S3", "FILE", "GCS", "AZURE"];

/** The tag of an image reference, or undefined when it has none (a digest is not a tag). */
function imageTag(image: string): string | undefined {
  if (image.includes("@")) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  return colon === -1 ? undefined : lastSegment.slice(colon + 1);
}

function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = imageTag(image);
  return tag !== undefined && tag !== "" && tag !== "latest";
}

/**
 * Applies defaults and checks the arguments. `fail` raises the error the user sees (a ResourceError in the
 * component); every message names the argument and says how to fix it.
 */
export function resolvePolarisSettings(
  name: string,
  args: PolarisServerArgs,
  fail: (message: string) => never,
): PolarisServerSettings {
  if (!K8S_NAME.test(name)) {
    fail(
      `the component name "${name}" names the Kubernetes objects (the Service is "${name}"), so it must be ` +
        "1-40 lower-case letters, digits and dashes, starting with a letter",
    );
  }

  const image = args.image ?? DEFAULT_IMAGE;
  if (!isPinned(image)) {
    fail(`image "${image}" is not pinned: give a version tag (e.g. "${DEFAULT_IMAGE}") or a sha256 digest`);
  }
  let adminToolImage = args.adminToolImage;
  if (adminToolImage === undefined) {
    const tag = imageTag(image);
    if (tag === undefined) {
      fail(
        `adminToolImage is required when image "${image}" is pinned by digest: the admin tool must be the ` +
          "same Polaris version, and its tag cannot be read from a digest",
      );
    }
    adminToolImage = `${ADMIN_TOOL_REPOSITORY}:${tag}`;
  } else if (!isPinned(adminToolImage)) {
    fail(`adminToolImage "${adminToolImage}" is not pinned: give the same version tag as the server image`);
  }

  const realm = args.realm ?? DEFAULT_REALM;
  const rootClientId = args.rootClientId ?? DEFAULT_ROOT_CLIENT_ID;
  for (const [field, value] of [
    ["realm", realm],
    ["rootClientId", rootClientId],
  ] as const) {
    // Both travel in "realm,clientId,clientSecret"; a comma or a blank would split or empty a field.
    if (!/^[A-Za-z0-9_.-]+$/.test(value)) {
      fail(`${field} "${value}" must be letters, digits, "_", "." or "-" (it is joined with commas)`);
    }
  }

  const persistence = args.persistence ?? "in-memory";
  if (persistence !== "in-memory" && persistence !== "relational-jdbc") {
    fail(`persistence must be "in-memory" or "relational-jdbc", got "${persistence}"`);
  }
  const replicas = args.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1) {
    fail(`replicas must be a whole number of at least 1, got ${replicas}`);
  }
  if (replicas > 1 && persistence === "in-memory") {
    fail(
      `replicas: ${replicas} needs persistence: "relational-jdbc": with persistence "in-memory" every replica ` +
        "keeps its own catalogs and principals, so clients would see different data per request. " +
        'Set replicas: 1, or persistence: "relational-jdbc" with jdbc settings.',
    );
  }
  if (replicas > 1 && args.tokenBroker === undefined) {
    fail(
      `replicas: ${replicas} needs tokenBroker.secretName, a Secret holding a shared RSA key pair: without it ` +
        "each replica signs tokens with its own generated key and rejects tokens issued by the others.",
    );
  }

  const jdbc = resolveJdbc(args, persistence, fail);
  const autoscaling = resolveAutoscaling(args, replicas, fail);

  const supportedStorageTypes = args.supportedStorageTypes ?? ["S3"];
  if (supportedStorageTypes.length === 0) {
    fail('supportedStorageTypes is empty: list at least one of "S3", "FILE", "GCS", "AZURE"');
  }
  const unknownType = supportedStorageTypes.find((type) => !STORAGE_TYPES.includes(type));
  if (unknownType !== undefined) {
    fail(`supportedStorageTypes has "${unknownType}"; use "S3", "FILE", "GCS" or "AZURE"`);
  }
  const featureFlags = args.featureFlags ?? {};
  const managedFlag = Object.keys(featureFlags).find((flag) => MANAGED_FEATURE_FLAGS.includes(flag));
  if (managedFlag !== undefined) {
    fail(
      `featureFlags.${managedFlag} is set by this component: use supportedStorageTypes (adding "FILE" ` +
        "also allows insecure storage types)",
    );
  }

  const properties: PolarisServerSettings["properties"] = {
    realm,
    persistence,
    logLevel: args.logLevel ?? "INFO",
    supportedStorageTypes,
    featureFlags,
    apiPort: API_PORT,
    managementPort: MANAGEMENT_PORT,
    additionalProperties: args.additionalProperties ?? {},
  };
  const managedKeys = polarisProperties({
    ...properties,
    tokenBrokerKeyDir: "/",
    additionalProperties: {},
  });
  const clash = Object.keys(properties.additionalProperties).find((key) => managedKeys.has(key));
  if (clash !== undefined) {
    fail(`additionalProperties["${clash}"] is set by this component; use its own argument instead`);
  }

  if (args.ingress?.tlsSecretName !== undefined && args.ingress.host === undefined) {
    fail(
      "ingress.tlsSecretName needs ingress.host: a TLS certificate is issued for a host name. " +
        "Set ingress.host to the name in the certificate (e.g. polaris.example.com).",
    );
  }
  const exposures = (["ingress", "loadBalancer", "httpRoute"] as const).filter(
    (way) => args[way] !== undefined,
  );
  if (exposures.length > 1) {
    fail(
      `set only one of ingress, loadBalancer and httpRoute, not ${exposures.join(" and ")}: choose one way to ` +
        "reach Polaris from outside the cluster",
    );
  }
  const httpRoute = resolveHttpRoute(args, fail);
  const serviceMonitor = resolveServiceMonitor(args, fail);

  const networkPolicy = resolveNetworkPolicy(args, fail);

  const aws = args.aws;
  if ((aws?.accessKeyId === undefined) !== (aws?.secretAccessKey === undefined)) {
    fail("aws.accessKeyId and aws.secretAccessKey go together: give both, or neither to use IRSA (roleArn)");
  }
  const staticAwsCredentials =
    aws?.accessKeyId !== undefined && aws.secretAccessKey !== undefined
      ? { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey }
      : undefined;

  return {
    image,
    adminToolImage,
    realm,
    rootClientId,
    persistence,
    ...(jdbc === undefined ? {} : { jdbc }),
    replicas,
    ...(autoscaling === undefined ? {} : { autoscaling }),
    ...(args.tokenBroker === undefined
      ? {}
      : {
          tokenBroker: {
            secretName: args.tokenBroker.secretName,
            publicKeyKey: args.tokenBroker.publicKeyKey ?? "public.pem",
            privateKeyKey: args.tokenBroker.privateKeyKey ?? "private.pem",
          },
        }),
    supportedStorageTypes,
    ...networkPolicy,
    ...(staticAwsCredentials === undefined ? {} : { staticAwsCredentials }),
    ...(httpRoute === undefined ? {} : { httpRoute }),
    ...(serviceMonitor === undefined ? {} : { serviceMonitor }),
    properties,
  };
}

// The host names an HTTPRoute may carry (Gateway API's own pattern): DNS names, optionally with a leading
// wildcard label; no IP addresses, no ports.
const ROUTE_HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function resolveHttpRoute(
  args: PolarisServerArgs,
  fail: (message: string) => never,
): PolarisServerSettings["httpRoute"] {
  const route = args.httpRoute;
  if (route === undefined) return undefined;
  const hostnames = route.hostnames ?? [];
  hostnames.forEach((hostname, index) => {
    if (hostname.length > 253 || !ROUTE_HOSTNAME.test(hostname)) {
      fail(
        `httpRoute.hostnames[${index}] "${hostname}" is not a host name: use lower-case DNS labels such as ` +
          '"polaris.example.com" (a leading "*." is allowed; no scheme, port or IP address)',
      );
    }
  });
  const scheme = route.scheme ?? "https";
  if (scheme !== "http" && scheme !== "https") {
    fail(
      `httpRoute.scheme must be "http" or "https" (how clients reach the Gateway's listener), got "${scheme}"`,
    );
  }
  return { ...route, hostnames, scheme };
}

// A Prometheus duration, as the ServiceMonitor CRD's schema accepts it: units from years down to milliseconds,
// largest first, each at most once.
const PROMETHEUS_DURATION =
  /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

function resolveServiceMonitor(
  args: PolarisServerArgs,
  fail: (message: string) => never,
): PolarisServerSettings["serviceMonitor"] {
  const monitor = args.serviceMonitor;
  if (monitor === undefined) return undefined;
  const interval = monitor.interval ?? DEFAULT_SCRAPE_INTERVAL;
  if (interval === "" || !PROMETHEUS_DURATION.test(interval)) {
    fail(
      `serviceMonitor.interval "${interval}" is not a Prometheus duration: use one such as "30s", "1m" or "1m30s"`,
    );
  }
  const policy = args.networkPolicy;
  if (policy?.enabled !== false && (policy?.managementClients ?? []).length === 0) {
    fail(
      "serviceMonitor needs networkPolicy.managementClients: the NetworkPolicy admits no pod to the metrics " +
        'port 8182 by default, so Prometheus could not scrape. Add its pods, e.g. { namespaces: ["monitoring"] }.',
    );
  }
  return { interval, labels: monitor.labels ?? {} };
}

function resolveJdbc(
  args: PolarisServerArgs,
  persistence: PolarisPersistenceType,
  fail: (message: string) => never,
): JdbcSource | undefined {
  const jdbc = args.jdbc;
  if (persistence === "in-memory") {
    if (jdbc !== undefined) {
      fail('jdbc is set but persistence is "in-memory": set persistence: "relational-jdbc" to use it');
    }
    return undefined;
  }
  const howTo =
    "give jdbc.existingSecretName (a Secret with keys jdbcUrl, username and password), or jdbc.url, " +
    "jdbc.username and jdbc.password (as a secret)";
  if (jdbc === undefined) fail(`persistence "relational-jdbc" needs a database connection: ${howTo}`);
  const inline = [jdbc.url, jdbc.username, jdbc.password];
  if (jdbc.existingSecretName !== undefined) {
    if (inline.some((value) => value !== undefined)) {
      fail(`jdbc.existingSecretName cannot be combined with jdbc.url/username/password: ${howTo}`);
    }
    return { kind: "existing-secret", secretName: jdbc.existingSecretName };
  }
  if (jdbc.url === undefined || jdbc.username === undefined || jdbc.password === undefined) {
    const missing = (["url", "username", "password"] as const).filter((field) => jdbc[field] === undefined);
    fail(`persistence "relational-jdbc" is missing jdbc.${missing.join(", jdbc.")}: ${howTo}`);
  }
  return { kind: "managed-secret", url: jdbc.url, username: jdbc.username, password: jdbc.password };
}

function resolveAutoscaling(
  args: PolarisServerArgs,
  replicas: number,
  fail: (message: string) => never,
): PolarisServerSettings["autoscaling"] {
  if (replicas === 1) {
    if (args.autoscaling !== undefined) {
      fail("autoscaling applies only with replicas > 1 (one replica of Polaris cannot share its state)");
    }
    return undefined;
  }
  const maxReplicas = args.autoscaling?.maxReplicas ?? replicas * 2;
  if (!Number.isInteger(maxReplicas) || maxReplicas < replicas) {
    fail(
      `autoscaling.maxReplicas (${maxReplicas}) must be a whole number of at least replicas (${replicas})`,
    );
  }
  const targetCpuUtilization = args.autoscaling?.targetCpuUtilization ?? DEFAULT_TARGET_CPU_UTILIZATION;
  if (!Number.isInteger(targetCpuUtilization) || targetCpuUtilization < 1 || targetCpuUtilization > 100) {
    fail(`autoscaling.targetCpuUtilization must be a percentage from 1 to 100, got ${targetCpuUtilization}`);
  }
  return { minReplicas: replicas, maxReplicas, targetCpuUtilization };
}

function resolveNetworkPolicy(
  args: PolarisServerArgs,
  fail: (message: string) => never,
): Pick<PolarisServerSettings, "networkPolicy"> {
  const policy = args.networkPolicy;
  if (policy?.enabled === false) return {};
  const apiClients = policy?.apiClients ?? "all";
  const managementClients = policy?.managementClients ?? [];
  if (apiClients !== "all" && apiClients.length === 0) {
    // An empty "from" list admits every source in Kubernetes, the opposite of what an empty list suggests.
    fail('networkPolicy.apiClients is empty: list the peers that may call Polaris, or use "all"');
  }
  const peers: [string, readonly PolarisNetworkPeer[]][] = [
    ["apiClients", apiClients === "all" ? [] : apiClients],
    ["managementClients", managementClients],
  ];
  for (const [field, list] of peers) {
    list.forEach((peer, index) => {
      const problem = peerProblem(peer);
      if (problem !== undefined) fail(`networkPolicy.${field}[${index}]: ${problem}`);
    });
  }
  return { networkPolicy: { apiClients, managementClients } };
}
