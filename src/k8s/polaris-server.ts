import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  bootstrapPodSpec,
  JDBC_SECRET_KEYS,
  PORT_NAMES,
  ROOT_SECRET_KEYS,
  STORAGE_SECRET_KEYS,
  serverPodSpec,
  TOKEN_BROKER_KEY_DIR,
} from "./polaris-server/containers";
import { createExternalAccess } from "./polaris-server/external-access";
import { type PolarisNetworkPeer, polarisIngressRules } from "./polaris-server/network-policy";
import {
  contentDigest,
  type FeatureFlagValue,
  type PolarisPersistenceType,
  type PolarisStorageType,
  polarisProperties,
  type QuarkusLogLevel,
  renderProperties,
} from "./polaris-server/properties";
import {
  API_PORT,
  DEFAULT_RESOURCES,
  MANAGEMENT_PORT,
  type PolarisServerSettings,
  resolvePolarisSettings,
} from "./polaris-server/settings";

export type { PolarisNetworkPeer } from "./polaris-server/network-policy";
export type {
  FeatureFlagValue,
  PolarisPersistenceType,
  PolarisStorageType,
  QuarkusLogLevel,
} from "./polaris-server/properties";

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

export interface PolarisComputeResources {
  readonly cpu?: pulumi.Input<string>;
  readonly memory?: pulumi.Input<string>;
}

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

/** AWS settings for Polaris' own S3/STS calls. */
export interface PolarisAwsArgs {
  /** Region for the AWS SDK inside Polaris. @default the SDK's own lookup (IRSA sets it on EKS) */
  readonly region?: pulumi.Input<string>;
  /** Static access key, for S3 emulators; prefer `roleArn` (IRSA) on AWS. Stored in a Secret. @default none */
  readonly accessKeyId?: pulumi.Input<string>;
  /** Static secret key, paired with `accessKeyId`. Stored in a Secret. @default none */
  readonly secretAccessKey?: pulumi.Input<string>;
}

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
  /** An Ingress for the API (port 8181). Excludes `loadBalancer`. @default none */
  readonly ingress?: PolarisIngressArgs;
  /** A LoadBalancer Service for the API. Excludes `ingress`. @default none */
  readonly loadBalancer?: PolarisLoadBalancerArgs;
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
  realm: string;
  clientId: string;
  clientSecret: string;
  /** OAuth2 scope to request: every principal role of the root principal. */
  scope: "PRINCIPAL_ROLE:ALL";
}

/**
 * Apache Polaris on Kubernetes: namespace (optional), ServiceAccount (IRSA-ready), generated root
 * credentials in a Secret, the properties in a ConfigMap, the server Deployment under the "restricted" Pod
 * Security Standard, a Service, a NetworkPolicy and, as configured, a JDBC bootstrap Job, a
 * PodDisruptionBudget and an autoscaler, and an Ingress or a load balancer.
 */
export class PolarisServer extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  /** For the IAM role's trust policy: `system:serviceaccount:<namespace>:<serviceAccountName>`. */
  readonly serviceAccountName: pulumi.Output<string>;
  readonly realm: pulumi.Output<string>;
  readonly rootClientId: pulumi.Output<string>;
  /** The root principal's client secret; a Pulumi secret. */
  readonly rootClientSecret: pulumi.Output<string>;
  /** The Secret holding the root credentials (keys clientId, clientSecret, bootstrapCredentials). */
  readonly rootCredentialsSecretName: pulumi.Output<string>;
  /** Iceberg REST catalog URI inside the cluster. */
  readonly catalogUri: pulumi.Output<string>;
  /** Iceberg REST catalog URI from outside the cluster, when an Ingress host, load balancer or externalUri gives one. */
  readonly externalCatalogUri: pulumi.Output<string | undefined>;
  /** Management API base inside the cluster. */
  readonly managementUri: pulumi.Output<string>;
  /** Readiness endpoint on the management port, inside the cluster. */
  readonly healthUrl: pulumi.Output<string>;
  /**
   * The base URL management resources should call, resolved only once the Deployment has rolled out (the
   * Kubernetes provider waits for ready pods) and the Service and any Ingress exist. Use it, or
   * `connection`, as an input so management resources wait for a server that answers.
   */
  readonly readyToManage: pulumi.Output<string>;
  /** Root connection for management resources; secret as a whole because it holds the client secret. */
  readonly connection: pulumi.Output<PolarisConnection>;

  constructor(name: string, args: PolarisServerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("polaris:k8s:PolarisServer", name, {}, opts);
    const settings = resolvePolarisSettings(name, args, (message) => {
      throw new pulumi.ResourceError(message, this);
    });
    const parent = { parent: this };

    const selectorLabels = {
      "app.kubernetes.io/name": "polaris",
      "app.kubernetes.io/instance": name,
      "app.kubernetes.io/component": "server",
    };
    const labels = { ...selectorLabels, "app.kubernetes.io/managed-by": "pulumi" };

    const namespace = this.createNamespace(name, args);

    // A fixed name keeps the IRSA trust policy (which names the service account) valid across updates.
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-service-account`,
      {
        metadata: {
          name,
          namespace,
          labels,
          ...(args.roleArn === undefined
            ? {}
            : { annotations: { "eks.amazonaws.com/role-arn": args.roleArn } }),
        },
        automountServiceAccountToken: false,
      },
      parent,
    );

    const rootClientSecret = new random.RandomPassword(
      `${name}-root-client-secret`,
      // No special characters: the secret travels in "realm,clientId,secret" and in form-encoded bodies.
      { length: 40, special: false },
      parent,
    );
    const clientSecret = pulumi.secret(rootClientSecret.result);
    const rootCredentials = new k8s.core.v1.Secret(
      `${name}-root-credentials`,
      {
        metadata: { name: `${name}-root-credentials`, namespace, labels },
        type: "Opaque",
        stringData: {
          [ROOT_SECRET_KEYS.clientId]: settings.rootClientId,
          [ROOT_SECRET_KEYS.clientSecret]: clientSecret,
          [ROOT_SECRET_KEYS.bootstrapCredentials]: pulumi.secret(
            pulumi.interpolate`${settings.realm},${settings.rootClientId},${clientSecret}`,
          ),
        },
      },
      parent,
    );

    const jdbcSecretName = this.jdbcSecretName(name, settings, namespace, labels);
    const storageSecretName = this.storageSecretName(name, settings, namespace, labels);

    const propertiesText = renderProperties(
      polarisProperties({
        ...settings.properties,
        ...(settings.tokenBroker === undefined ? {} : { tokenBrokerKeyDir: TOKEN_BROKER_KEY_DIR }),
      }),
    );
    const configMap = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: { name: `${name}-config-${contentDigest(propertiesText)}`, namespace, labels },
        data: { "application.properties": propertiesText },
      },
      parent,
    );

    const bootstrapJob =
      jdbcSecretName === undefined
        ? undefined
        : new k8s.batch.v1.Job(
            `${name}-bootstrap`,
            {
              // Auto-named: a Job's pod template is immutable, so a new image replaces the Job, and a
              // generated name lets the new one start before the old one is deleted.
              metadata: {
                namespace,
                labels: { ...labels, "app.kubernetes.io/component": "bootstrap" },
              },
              spec: {
                backoffLimit: 4,
                activeDeadlineSeconds: 600,
                template: {
                  metadata: { labels: { ...labels, "app.kubernetes.io/component": "bootstrap" } },
                  spec: bootstrapPodSpec({
                    adminToolImage: settings.adminToolImage,
                    realm: settings.realm,
                    rootCredentialsSecret: rootCredentials.metadata.name,
                    jdbcSecret: jdbcSecretName,
                  }),
                },
              },
            },
            parent,
          );

    const resources = {
      requests: { ...DEFAULT_RESOURCES.requests, ...args.resources?.requests },
      limits: { ...DEFAULT_RESOURCES.limits, ...args.resources?.limits },
    };
    const deployment = new k8s.apps.v1.Deployment(
      `${name}-server`,
      {
        metadata: { name, namespace, labels },
        spec: {
          // With an autoscaler the replica count is its job; a count here would be re-applied on every
          // update and fight it. The autoscaler's minimum is `replicas`.
          ...(settings.autoscaling === undefined ? { replicas: settings.replicas } : {}),
          selector: { matchLabels: selectorLabels },
          template: {
            metadata: { labels },
            spec: serverPodSpec({
              image: settings.image,
              configMapName: configMap.metadata.name,
              serviceAccountName: serviceAccount.metadata.name,
              secrets: {
                rootCredentials: rootCredentials.metadata.name,
                ...(jdbcSecretName === undefined ? {} : { jdbc: jdbcSecretName }),
                ...(storageSecretName === undefined ? {} : { storageCredentials: storageSecretName }),
                ...(settings.tokenBroker === undefined ? {} : { tokenBroker: settings.tokenBroker }),
              },
              ...(args.aws?.region === undefined ? {} : { awsRegion: args.aws.region }),
              resources,
              ...(settings.replicas > 1 ? { spreadLabels: selectorLabels } : {}),
            }),
          },
        },
      },
      // The realm must exist in the database before a server answers for it.
      { parent: this, ...(bootstrapJob === undefined ? {} : { dependsOn: [bootstrapJob] }) },
    );

    const service = new k8s.core.v1.Service(
      `${name}-server`,
      {
        // Fixed, so the in-cluster URIs that engines and catalogs store stay valid.
        metadata: { name, namespace, labels },
        spec: {
          type: "ClusterIP",
          selector: selectorLabels,
          ports: [
            { name: PORT_NAMES.api, port: API_PORT, targetPort: PORT_NAMES.api, protocol: "TCP" },
            {
              name: PORT_NAMES.management,
              port: MANAGEMENT_PORT,
              targetPort: PORT_NAMES.management,
              protocol: "TCP",
            },
          ],
        },
      },
      parent,
    );

    if (settings.networkPolicy !== undefined) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-network-policy`,
        {
          metadata: { name, namespace, labels },
          spec: {
            podSelector: { matchLabels: selectorLabels },
            // Ingress only: Polaris calls S3, STS, the database and DNS, whose addresses vary per setup.
            policyTypes: ["Ingress"],
            ingress: polarisIngressRules(
              { api: API_PORT, management: MANAGEMENT_PORT },
              settings.networkPolicy.apiClients,
              settings.networkPolicy.managementClients,
            ),
          },
        },
        parent,
      );
    }

    if (settings.autoscaling !== undefined) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        {
          metadata: { name, namespace, labels },
          // Node drains take one replica at a time; the others keep serving.
          spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels } },
        },
        parent,
      );
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-hpa`,
        {
          metadata: { name, namespace, labels },
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
            minReplicas: settings.autoscaling.minReplicas,
            maxReplicas: settings.autoscaling.maxReplicas,
            metrics: [
              {
                type: "Resource",
                resource: {
                  name: "cpu",
                  target: {
                    type: "Utilization",
                    averageUtilization: settings.autoscaling.targetCpuUtilization,
                  },
                },
              },
            ],
          },
        },
        parent,
      );
    }

    const external = createExternalAccess(name, args, {
      namespace,
      labels,
      selectorLabels,
      service,
      parent: this,
    });

    const inClusterBase = pulumi.interpolate`http://${service.metadata.name}.${namespace}.svc.cluster.local:${API_PORT}`;
    const externalBase: pulumi.Output<string | undefined> =
      args.externalUri !== undefined ? pulumi.output(args.externalUri) : external.base;

    this.namespace = namespace;
    this.serviceName = service.metadata.name;
    this.serviceAccountName = serviceAccount.metadata.name;
    this.realm = pulumi.output(settings.realm);
    this.rootClientId = pulumi.output(settings.rootClientId);
    this.rootClientSecret = clientSecret;
    this.rootCredentialsSecretName = rootCredentials.metadata.name;
    this.catalogUri = pulumi.interpolate`${inClusterBase}/api/catalog`;
    this.externalCatalogUri = externalBase.apply((base) =>
      base === undefined ? undefined : `${base}/api/catalog`,
    );
    this.managementUri = pulumi.interpolate`${inClusterBase}/api/management/v1`;
    this.healthUrl = pulumi.interpolate`http://${service.metadata.name}.${namespace}.svc.cluster.local:${MANAGEMENT_PORT}/q/health/ready`;
    // URNs are known in preview yet resolve in `up` only once each resource's step is done, so this waits
    // for the rollout without turning into an unknown value (and a spurious diff) during preview.
    const servingResources = [deployment, service, ...external.resources].map((resource) => resource.urn);
    this.readyToManage = pulumi
      .all([pulumi.all(servingResources), inClusterBase, externalBase])
      .apply(([, inside, outside]) => outside ?? inside);
    this.connection = pulumi.all([this.readyToManage, clientSecret]).apply(([uri, secret]) => ({
      uri,
      realm: settings.realm,
      clientId: settings.rootClientId,
      clientSecret: secret,
      scope: "PRINCIPAL_ROLE:ALL" as const,
    }));

    this.registerOutputs({
      namespace: this.namespace,
      serviceName: this.serviceName,
      serviceAccountName: this.serviceAccountName,
      realm: this.realm,
      rootClientId: this.rootClientId,
      rootClientSecret: this.rootClientSecret,
      rootCredentialsSecretName: this.rootCredentialsSecretName,
      catalogUri: this.catalogUri,
      externalCatalogUri: this.externalCatalogUri,
      managementUri: this.managementUri,
      healthUrl: this.healthUrl,
      readyToManage: this.readyToManage,
      connection: this.connection,
    });
  }

  private createNamespace(name: string, args: PolarisServerArgs): pulumi.Output<string> {
    if (!args.createNamespace) return pulumi.output(args.namespace ?? "default");
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: args.namespace ?? name,
          // Every pod this component creates meets "restricted"; enforcing it keeps later additions honest.
          labels: {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
          },
        },
      },
      { parent: this },
    );
    return namespace.metadata.name;
  }

  private jdbcSecretName(
    name: string,
    settings: PolarisServerSettings,
    namespace: pulumi.Output<string>,
    labels: Record<string, string>,
  ): pulumi.Input<string> | undefined {
    const jdbc = settings.jdbc;
    if (jdbc === undefined) return undefined;
    if (jdbc.kind === "existing-secret") return jdbc.secretName;
    const secret = new k8s.core.v1.Secret(
      `${name}-jdbc`,
      {
        metadata: { name: `${name}-jdbc`, namespace, labels },
        type: "Opaque",
        stringData: {
          [JDBC_SECRET_KEYS.url]: jdbc.url,
          [JDBC_SECRET_KEYS.username]: jdbc.username,
          [JDBC_SECRET_KEYS.password]: pulumi.secret(jdbc.password),
        },
      },
      { parent: this },
    );
    return secret.metadata.name;
  }

  private storageSecretName(
    name: string,
    settings: PolarisServerSettings,
    namespace: pulumi.Output<string>,
    labels: Record<string, string>,
  ): pulumi.Input<string> | undefined {
    const credentials = settings.staticAwsCredentials;
    if (credentials === undefined) return undefined;
    const secret = new k8s.core.v1.Secret(
      `${name}-storage-credentials`,
      {
        metadata: { name: `${name}-storage-credentials`, namespace, labels },
        type: "Opaque",
        stringData: {
          [STORAGE_SECRET_KEYS.accessKeyId]: pulumi.secret(credentials.accessKeyId),
          [STORAGE_SECRET_KEYS.secretAccessKey]: pulumi.secret(credentials.secretAccessKey),
        },
      },
      { parent: this },
    );
    return secret.metadata.name;
  }
}
