import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { PolarisNetworkPeer } from "./network-policy";
import type {
  FeatureFlagValue,
  PolarisPersistenceType,
  PolarisStorageType,
  QuarkusLogLevel,
} from "./properties";

// The public argument and output types of PolarisServer. They live apart from the component so that its
// helper modules can use them without importing the component back.

/** The PostgreSQL database behind `persistence: "relational-jdbc"`: an existing Secret, or the values. */
export interface PolarisJdbcArgs {
  /** An existing Secret with keys `jdbcUrl`, `username` and `password`. Excludes the three fields below. */
  readonly existingSecretName?: pulumi.Input<string>;
  /** JDBC URL, e.g. `jdbc:postgresql://db.example.internal:5432/polaris`. Stored in a Secret. */
  readonly url?: pulumi.Input<string>;
  /** Database user. Stored in a Secret. */
  readonly username?: pulumi.Input<string>;
  /** Database password; pass it as a secret (`pulumi.secret` or secret config). Stored in a Secret. */
  readonly password?: pulumi.Input<string>;
}

/** An RSA key pair that every replica signs and checks tokens with. */
export interface PolarisTokenBrokerArgs {
  /** Existing Secret in the namespace holding the PEM-encoded key pair. */
  readonly secretName: pulumi.Input<string>;
  /** Key of the public key in that Secret. @default "public.pem" */
  readonly publicKeyKey?: string;
  /** Key of the private key in that Secret. @default "private.pem" */
  readonly privateKeyKey?: string;
}

/** CPU-based horizontal autoscaling, used only when `replicas` > 1 (`replicas` is the minimum). */
export interface PolarisAutoscalingArgs {
  /** Most replicas the autoscaler may run. @default twice `replicas` */
  readonly maxReplicas?: number;
  /** Average CPU use, in percent of the request, that the autoscaler aims for. @default 75 */
  readonly targetCpuUtilization?: number;
}

/** CPU and memory in Kubernetes quantities. */
export interface PolarisComputeResources {
  /** CPU, e.g. "250m" (a quarter core) or "2". @default see PolarisResourcesArgs */
  readonly cpu?: pulumi.Input<string>;
  /** Memory, e.g. "1Gi". @default see PolarisResourcesArgs */
  readonly memory?: pulumi.Input<string>;
}

/** The Polaris container's resource requests and limits. */
export interface PolarisResourcesArgs {
  /** @default { cpu: "250m", memory: "1Gi" } */
  readonly requests?: PolarisComputeResources;
  /** @default { cpu: "2", memory: "1Gi" } */
  readonly limits?: PolarisComputeResources;
}

/**
 * Which pods may reach Polaris. By default the API port (8181) is open to every source, because the API
 * authenticates every call and an ingress controller lives in a namespace this component cannot know; the
 * management port (8182: health, metrics) admits no pod at all, only the kubelet's probes.
 */
export interface PolarisNetworkPolicyArgs {
  /** Create the NetworkPolicy. Turn off only when the cluster's policy is managed elsewhere. @default true */
  readonly enabled?: boolean;
  /** Who may call the API port 8181. @default "all" */
  readonly apiClients?: "all" | readonly PolarisNetworkPeer[];
  /** Who may reach the management port 8182, such as a Prometheus namespace. @default [] (probes only) */
  readonly managementClients?: readonly PolarisNetworkPeer[];
}

/** An Ingress for the API port (8181). */
export interface PolarisIngressArgs {
  /** Host name clients use, e.g. `polaris.example.com`. Required with `tlsSecretName`. @default any host */
  readonly host?: pulumi.Input<string>;
  /** Secret with the TLS certificate for `host`. Without it the Ingress serves plain HTTP. @default none */
  readonly tlsSecretName?: pulumi.Input<string>;
  /** IngressClass to use. @default the cluster's default class */
  readonly className?: pulumi.Input<string>;
  /** Annotations for the ingress controller, e.g. cert-manager's issuer. @default {} */
  readonly annotations?: Record<string, pulumi.Input<string>>;
}

/** A LoadBalancer Service for the API port only (the management port stays in the cluster). */
export interface PolarisLoadBalancerArgs {
  /** Annotations for the cloud's load-balancer controller. @default {} */
  readonly annotations?: Record<string, pulumi.Input<string>>;
  /** Client IP ranges the load balancer admits. @default every address */
  readonly sourceRanges?: pulumi.Input<string>[];
}

/**
 * A Gateway API HTTPRoute for the API port (8181), attached to a Gateway someone else runs; the alternative
 * to `ingress` on clusters that route with the Gateway API. Needs its CRDs (gateway.networking.k8s.io/v1).
 */
export interface PolarisHttpRouteArgs {
  /** The Gateway to attach to, e.g. "shared-gateway". */
  readonly gatewayName: pulumi.Input<string>;
  /** The Gateway's namespace; it must allow routes from Polaris' namespace. @default Polaris' namespace */
  readonly gatewayNamespace?: pulumi.Input<string>;
  /** One listener of the Gateway, e.g. "https". @default every listener that accepts the route */
  readonly sectionName?: pulumi.Input<string>;
  /** Host names the route serves, e.g. ["polaris.example.com"]; the first gives `externalCatalogUri`. @default the listener's */
  readonly hostnames?: readonly string[];
  /** How clients reach the listener: "https" when the Gateway terminates TLS. @default "https" */
  readonly scheme?: "http" | "https";
  /** Annotations for the Gateway controller. @default {} */
  readonly annotations?: Record<string, pulumi.Input<string>>;
}

/**
 * A prometheus-operator ServiceMonitor that scrapes Polaris' metrics (`/q/metrics` on the management port
 * 8182). Needs its CRD (monitoring.coreos.com/v1), and `networkPolicy.managementClients` must admit Prometheus.
 */
export interface PolarisServiceMonitorArgs {
  /** How often Prometheus scrapes, as a Prometheus duration. @default "30s" */
  readonly interval?: string;
  /** Labels the Prometheus' `serviceMonitorSelector` matches, e.g. { release: "prometheus" }. @default {} */
  readonly labels?: Record<string, string>;
}

/** AWS settings for Polaris' own S3/STS calls. */
export interface PolarisAwsArgs {
  /** Region for the AWS SDK inside Polaris. @default the SDK's own lookup (IRSA sets it on EKS) */
  readonly region?: pulumi.Input<string>;
  /** Static access key, for S3 emulators; prefer `roleArn` (IRSA) on AWS. Stored in a Secret. @default none */
  readonly accessKeyId?: pulumi.Input<string>;
  /** Static secret key, paired with `accessKeyId`. Stored in a Secret. @default none */
  readonly secretAccessKey?: pulumi.Input<string>;
}

/** Arguments of {@link PolarisServer}; every one is optional, the defaults give an in-memory server for local use. */
export interface PolarisServerArgs {
  /**
   * Namespace to run in. With `createNamespace` it is created; otherwise it must exist.
   * @default the component name when `createNamespace` is true, otherwise "default"
   */
  readonly namespace?: pulumi.Input<string>;
  /** Create the namespace, labelled to enforce the "restricted" Pod Security Standard. @default false */
  readonly createNamespace?: boolean;
  /** Server image, pinned by tag or digest. @default "apache/polaris:1.8.0" */
  readonly image?: string;
  /** Admin-tool image for the bootstrap Job (JDBC only). @default "apache/polaris-admin-tool:<tag of image>" */
  readonly adminToolImage?: string;
  /** The realm Polaris serves and bootstraps. @default "POLARIS" */
  readonly realm?: string;
  /** Client id of the root principal; its secret is generated. @default "root" */
  readonly rootClientId?: string;
  /** Metastore: "in-memory" (lost on restart; local use) or "relational-jdbc" (PostgreSQL). @default "in-memory" */
  readonly persistence?: PolarisPersistenceType;
  /** Database connection; required with `persistence: "relational-jdbc"`. @default none */
  readonly jdbc?: PolarisJdbcArgs;
  /** Number of replicas; more than 1 needs JDBC and `tokenBroker`, and adds a PDB and an HPA. @default 1 */
  readonly replicas?: number;
  /** Shared token-signing keys; required when `replicas` > 1. @default keys generated per replica */
  readonly tokenBroker?: PolarisTokenBrokerArgs;
  /** Autoscaler limits when `replicas` > 1. @default { maxReplicas: 2 * replicas, targetCpuUtilization: 75 } */
  readonly autoscaling?: PolarisAutoscalingArgs;
  /** Container resources. @default requests { cpu: "250m", memory: "1Gi" }, limits { cpu: "2", memory: "1Gi" } */
  readonly resources?: PolarisResourcesArgs;
  /** Root log level (`quarkus.log.level`). @default "INFO" */
  readonly logLevel?: QuarkusLogLevel;
  /** Storage types catalogs may use; "FILE" also allows insecure storage (tests only). @default ["S3"] */
  readonly supportedStorageTypes?: readonly PolarisStorageType[];
  /** Further Polaris feature flags, such as S3 endpoint settings, written as `polaris.features."NAME"`. @default {} */
  readonly featureFlags?: Readonly<Record<string, FeatureFlagValue>>;
  /** Further Quarkus/Polaris properties; they may not redefine one this component sets. @default {} */
  readonly additionalProperties?: Readonly<Record<string, string>>;
  /** IAM role for the ServiceAccount (IRSA, annotation `eks.amazonaws.com/role-arn`). @default none */
  readonly roleArn?: pulumi.Input<string>;
  /** AWS SDK settings for Polaris itself. @default none */
  readonly aws?: PolarisAwsArgs;
  /** Who may reach the pods. @default API open to all sources, management port to probes only */
  readonly networkPolicy?: PolarisNetworkPolicyArgs;
  /** An Ingress for the API (port 8181). Excludes `loadBalancer` and `httpRoute`. @default none */
  readonly ingress?: PolarisIngressArgs;
  /** A LoadBalancer Service for the API. Excludes `ingress` and `httpRoute`. @default none */
  readonly loadBalancer?: PolarisLoadBalancerArgs;
  /** A Gateway API HTTPRoute for the API. Excludes `ingress` and `loadBalancer`. @default none */
  readonly httpRoute?: PolarisHttpRouteArgs;
  /** A prometheus-operator ServiceMonitor for Polaris' metrics, created only when given. @default none */
  readonly serviceMonitor?: PolarisServiceMonitorArgs;
  /**
   * How the server pods spread over the cluster. A constraint without `labelSelector` selects this server's
   * pods. @default with `replicas` > 1, one per node where possible (kubernetes.io/hostname, ScheduleAnyway)
   */
  readonly topologySpreadConstraints?: readonly k8s.types.input.core.v1.TopologySpreadConstraint[];
  /** PriorityClass of the server and bootstrap pods; it must exist. @default none (the cluster's default) */
  readonly priorityClassName?: pulumi.Input<string>;
  /**
   * Base URL at which `pulumi up` reaches Polaris when neither the Ingress nor the load balancer gives it,
   * e.g. "http://localhost:8181" through `kubectl port-forward` or a kind port mapping.
   * @default from the Ingress or load balancer, else the in-cluster URL
   */
  readonly externalUri?: pulumi.Input<string>;
}

/** What Polaris management resources need to call the server as the root principal. */
export interface PolarisConnection {
  /** Base URL of the server, no path: the management API is `${uri}/api/management/v1`. */
  uri: string;
  /** The realm, sent as the Polaris-Realm header. */
  realm: string;
  /** The root principal's client id. */
  clientId: string;
  /** The root principal's client secret. */
  clientSecret: string;
  /**
   * OAuth2 scope to request: only the root principal's service_admin role, which is all that managing
   * catalogs, their content and access needs, so the token never carries a role added to root later.
   */
  scope: "PRINCIPAL_ROLE:service_admin";
}
