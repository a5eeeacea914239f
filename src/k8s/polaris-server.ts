import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PolarisConnection, PolarisServerArgs } from "./polaris-server/args";
import {
  bootstrapPodSpec,
  JDBC_SECRET_KEYS,
  PORT_NAMES,
  ROOT_SECRET_KEYS,
  STORAGE_SECRET_KEYS,
  serverPodSpec,
  TOKEN_BROKER_KEY_DIR,
  topologySpread,
} from "./polaris-server/containers";
import { createExternalAccess } from "./polaris-server/external-access";
import { polarisIngressRules } from "./polaris-server/network-policy";
import { contentDigest, polarisProperties, renderProperties } from "./polaris-server/properties";
import {
  API_PORT,
  DEFAULT_RESOURCES,
  MANAGEMENT_PORT,
  type PolarisServerSettings,
  resolvePolarisSettings,
} from "./polaris-server/settings";

export type * from "./polaris-server/args";
export type { PolarisNetworkPeer } from "./polaris-server/network-policy";
export type {
  FeatureFlagValue,
  PolarisPersistenceType,
  PolarisStorageType,
  QuarkusLogLevel,
} from "./polaris-server/properties";

/**
 * Apache Polaris on Kubernetes: namespace (optional), ServiceAccount (IRSA-ready), generated root
 * credentials in a Secret, the properties in a ConfigMap, the server Deployment under the "restricted" Pod
 * Security Standard, a Service, a NetworkPolicy and, as configured, a JDBC bootstrap Job, a
 * PodDisruptionBudget and an autoscaler, and an Ingress or a load balancer.
 */
export class PolarisServer extends pulumi.ComponentResource {
  /** The Kubernetes namespace Polaris runs in. */
  readonly namespace: pulumi.Output<string>;
  /** The Service in front of the pods (API port 8181, management port 8182). */
  readonly serviceName: pulumi.Output<string>;
  /** For the IAM role's trust policy: `system:serviceaccount:<namespace>:<serviceAccountName>`. */
  readonly serviceAccountName: pulumi.Output<string>;
  /** The realm Polaris serves; management calls send it as the Polaris-Realm header. */
  readonly realm: pulumi.Output<string>;
  /** The root principal's client id. */
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
                    ...optional("priorityClassName", args.priorityClassName),
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
              ...optional(
                "topologySpreadConstraints",
                topologySpread(args.topologySpreadConstraints, settings.replicas, selectorLabels),
              ),
              ...optional("priorityClassName", args.priorityClassName),
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

    if (settings.serviceMonitor !== undefined) {
      new k8s.apiextensions.CustomResource(
        `${name}-service-monitor`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { name, namespace, labels: { ...labels, ...settings.serviceMonitor.labels } },
          spec: {
            // A load balancer's Service matches these labels too, but it has no management port, so only the
            // ClusterIP Service gives Prometheus targets.
            selector: { matchLabels: selectorLabels },
            namespaceSelector: { matchNames: [namespace] },
            endpoints: [
              {
                port: PORT_NAMES.management,
                path: "/q/metrics",
                scheme: "http",
                interval: settings.serviceMonitor.interval,
              },
            ],
          },
        },
        parent,
      );
    }

    const external = createExternalAccess(
      name,
      { ...args, httpRoute: settings.httpRoute },
      {
        namespace,
        labels,
        selectorLabels,
        service,
        parent: this,
      },
    );

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
      scope: "PRINCIPAL_ROLE:service_admin" as const,
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
            // Also warn, so `pulumi up` shows why a Deployment added here later would never get pods.
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "latest",
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

/** `{ [key]: value }`, or nothing when the value is undefined: optional fields stay out of the manifests. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
