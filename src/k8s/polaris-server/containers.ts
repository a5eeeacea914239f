import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  tmpVolume,
  tmpVolumeMount,
} from "./pod-security";
import { API_PORT, MANAGEMENT_PORT } from "./settings";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type Probe = k8s.types.input.core.v1.Probe;
type ResourceRequirements = k8s.types.input.core.v1.ResourceRequirements;
type TopologySpreadConstraint = k8s.types.input.core.v1.TopologySpreadConstraint;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** Keys of the Secret that holds the root principal's bootstrap credentials. */
export const ROOT_SECRET_KEYS = {
  clientId: "clientId",
  clientSecret: "clientSecret",
  /** "realm,clientId,clientSecret", the form both POLARIS_BOOTSTRAP_CREDENTIALS and the admin tool take. */
  bootstrapCredentials: "bootstrapCredentials",
} as const;

/** Keys of a JDBC Secret; the same names the Polaris Helm chart uses, so its Secrets can be reused. */
export const JDBC_SECRET_KEYS = { url: "jdbcUrl", username: "username", password: "password" } as const;

export const STORAGE_SECRET_KEYS = {
  accessKeyId: "AWS_ACCESS_KEY_ID",
  secretAccessKey: "AWS_SECRET_ACCESS_KEY",
} as const;

// Quarkus in the apache/polaris image reads config/application.properties relative to /deployments.
export const CONFIG_DIR = "/deployments/config";
export const TOKEN_BROKER_KEY_DIR = "/deployments/token-broker";

export const PORT_NAMES = { api: "api", management: "management" } as const;

/** Secret-backed inputs the pods read; names are Outputs so the pods depend on the Secrets. */
export interface SecretRefs {
  rootCredentials: pulumi.Input<string>;
  jdbc?: pulumi.Input<string>;
  storageCredentials?: pulumi.Input<string>;
  tokenBroker?: { secretName: pulumi.Input<string>; publicKeyKey: string; privateKeyKey: string };
}

export function envFromSecret(name: string, secretName: pulumi.Input<string>, key: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

function jdbcEnv(secretName: pulumi.Input<string>): EnvVar[] {
  return [
    envFromSecret("QUARKUS_DATASOURCE_JDBC_URL", secretName, JDBC_SECRET_KEYS.url),
    envFromSecret("QUARKUS_DATASOURCE_USERNAME", secretName, JDBC_SECRET_KEYS.username),
    envFromSecret("QUARKUS_DATASOURCE_PASSWORD", secretName, JDBC_SECRET_KEYS.password),
  ];
}

function bootstrapCredentialsEnv(secretName: pulumi.Input<string>): EnvVar {
  return envFromSecret("POLARIS_BOOTSTRAP_CREDENTIALS", secretName, ROOT_SECRET_KEYS.bootstrapCredentials);
}

export interface ServerPodOptions {
  image: string;
  configMapName: pulumi.Input<string>;
  serviceAccountName: pulumi.Input<string>;
  secrets: SecretRefs;
  awsRegion?: pulumi.Input<string>;
  resources: ResourceRequirements;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  priorityClassName?: pulumi.Input<string>;
}

/**
 * How the server pods spread: the constraints given (one without a labelSelector selects these pods), or,
 * with several replicas, one per node where possible so that one node failure leaves the others serving.
 */
export function topologySpread(
  given: readonly TopologySpreadConstraint[] | undefined,
  replicas: number,
  podLabels: Record<string, string>,
): TopologySpreadConstraint[] | undefined {
  if (given !== undefined) {
    return given.map((constraint) => ({
      ...constraint,
      labelSelector: constraint.labelSelector ?? { matchLabels: podLabels },
    }));
  }
  if (replicas === 1) return undefined;
  return [
    {
      maxSkew: 1,
      topologyKey: "kubernetes.io/hostname",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: podLabels },
    },
  ];
}

const httpProbe = (path: string, settings: Omit<Probe, "httpGet">): Probe => ({
  httpGet: { path, port: PORT_NAMES.management },
  ...settings,
});

/** The Polaris server pod: restricted security context, config file mounted, secrets as env or files. */
export function serverPodSpec(options: ServerPodOptions): PodSpec {
  const { secrets } = options;
  const env: EnvVar[] = [
    // With relational-jdbc the realm is bootstrapped by the admin-tool Job instead; in-memory servers
    // bootstrap themselves from this variable at start-up.
    ...(secrets.jdbc === undefined
      ? [bootstrapCredentialsEnv(secrets.rootCredentials)]
      : jdbcEnv(secrets.jdbc)),
    ...(options.awsRegion === undefined ? [] : [{ name: "AWS_REGION", value: options.awsRegion }]),
    ...(secrets.storageCredentials === undefined
      ? []
      : [
          envFromSecret("AWS_ACCESS_KEY_ID", secrets.storageCredentials, STORAGE_SECRET_KEYS.accessKeyId),
          envFromSecret(
            "AWS_SECRET_ACCESS_KEY",
            secrets.storageCredentials,
            STORAGE_SECRET_KEYS.secretAccessKey,
          ),
        ]),
  ];

  // The properties file is mounted rather than turned into environment variables: keys such as
  // polaris.features."SUPPORTED_CATALOG_STORAGE_TYPES" have no faithful env-var spelling (quotes and dots
  // collapse to underscores), and one file in a ConfigMap reads well in `pulumi preview --diff`.
  const volumes: Volume[] = [
    {
      name: "config",
      configMap: {
        name: options.configMapName,
        items: [{ key: "application.properties", path: "application.properties" }],
      },
    },
    tmpVolume,
  ];
  const volumeMounts: VolumeMount[] = [
    { name: "config", mountPath: CONFIG_DIR, readOnly: true },
    tmpVolumeMount,
  ];
  if (secrets.tokenBroker !== undefined) {
    volumes.push({
      name: "token-broker",
      secret: {
        secretName: secrets.tokenBroker.secretName,
        // Owner and group (fsGroup) read only: the private key signs every token Polaris issues.
        defaultMode: 0o440,
        items: [
          { key: secrets.tokenBroker.publicKeyKey, path: "public.pem" },
          { key: secrets.tokenBroker.privateKeyKey, path: "private.pem" },
        ],
      },
    });
    volumeMounts.push({ name: "token-broker", mountPath: TOKEN_BROKER_KEY_DIR, readOnly: true });
  }

  const container: Container = {
    name: "polaris",
    image: options.image,
    ports: [
      { name: PORT_NAMES.api, containerPort: API_PORT, protocol: "TCP" },
      { name: PORT_NAMES.management, containerPort: MANAGEMENT_PORT, protocol: "TCP" },
    ],
    env,
    volumeMounts,
    // The JVM needs a few seconds to start; the startup probe covers that, so liveness can be strict.
    startupProbe: httpProbe("/q/health/live", { periodSeconds: 2, failureThreshold: 60, timeoutSeconds: 2 }),
    livenessProbe: httpProbe("/q/health/live", { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 }),
    readinessProbe: httpProbe("/q/health/ready", {
      periodSeconds: 5,
      failureThreshold: 3,
      timeoutSeconds: 2,
    }),
    resources: options.resources,
    securityContext: restrictedContainerSecurityContext(),
  };

  return {
    serviceAccountName: options.serviceAccountName,
    // Polaris never calls the Kubernetes API. IRSA does not need this token either: the EKS webhook mounts
    // its own projected token for STS.
    automountServiceAccountToken: false,
    securityContext: restrictedPodSecurityContext(),
    containers: [container],
    volumes,
    ...(options.topologySpreadConstraints === undefined
      ? {}
      : { topologySpreadConstraints: options.topologySpreadConstraints }),
    ...(options.priorityClassName === undefined ? {} : { priorityClassName: options.priorityClassName }),
  };
}

export interface BootstrapPodOptions {
  adminToolImage: string;
  realm: string;
  rootCredentialsSecret: pulumi.Input<string>;
  jdbcSecret: pulumi.Input<string>;
  priorityClassName?: pulumi.Input<string>;
}

/**
 * The admin-tool pod that bootstraps the realm and its root principal in the database. The credentials
 * reach the command line through Kubernetes' $(VAR) expansion of an env var read from the Secret, so the
 * pod spec itself never holds them. Bootstrapping a realm that exists changes nothing, so a re-run is safe.
 */
export function bootstrapPodSpec(options: BootstrapPodOptions): PodSpec {
  return {
    restartPolicy: "Never",
    // It runs under the namespace's default service account: it needs neither the API nor Polaris' IAM role.
    automountServiceAccountToken: false,
    securityContext: restrictedPodSecurityContext(),
    ...(options.priorityClassName === undefined ? {} : { priorityClassName: options.priorityClassName }),
    containers: [
      {
        name: "bootstrap",
        image: options.adminToolImage,
        args: ["bootstrap", "--realm", options.realm, "--credential", "$(POLARIS_BOOTSTRAP_CREDENTIALS)"],
        env: [
          { name: "POLARIS_PERSISTENCE_TYPE", value: "relational-jdbc" },
          ...jdbcEnv(options.jdbcSecret),
          bootstrapCredentialsEnv(options.rootCredentialsSecret),
        ],
        volumeMounts: [tmpVolumeMount],
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        securityContext: restrictedContainerSecurityContext(),
      },
    ],
    volumes: [tmpVolume],
  };
}
