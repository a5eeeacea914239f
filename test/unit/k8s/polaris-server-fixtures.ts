import * as pulumi from "@pulumi/pulumi";
import type { PolarisServer, PolarisServerArgs } from "../../../src/k8s/polaris-server";
import {
  type ConstructedChild,
  constructCapturingChildren,
  type Json,
  outputValue,
  type RegisteredResource,
  type recordResources,
} from "../../support/mocks";

export type Recorder = Awaited<ReturnType<typeof recordResources>>;

export type { ConstructedChild };

export const K8S = {
  namespace: "kubernetes:core/v1:Namespace",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  secret: "kubernetes:core/v1:Secret",
  configMap: "kubernetes:core/v1:ConfigMap",
  service: "kubernetes:core/v1:Service",
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
} as const;
export const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
export const COMPONENT = "polaris:k8s:PolarisServer";

/** The local environment: in-memory, one replica, no ingress, an S3 emulator with static keys. */
export const localArgs: PolarisServerArgs = {
  namespace: "polaris",
  supportedStorageTypes: ["S3", "FILE"],
  externalUri: "http://localhost:8181",
  aws: { region: "us-east-1", accessKeyId: "local-access-key", secretAccessKey: "local-s3-secret-key" },
};

export const PROD_DB_PASSWORD = "prod-db-password-value";
export const PROD_ROLE_ARN = "arn:aws:iam::123456789012:role/polaris-server";

/** The prod environment: JDBC, three replicas, shared token keys, IRSA, TLS ingress, narrowed network policy. */
export function prodArgs(): PolarisServerArgs {
  return {
    namespace: "data-platform",
    createNamespace: true,
    persistence: "relational-jdbc",
    jdbc: {
      url: "jdbc:postgresql://polaris-db.example.internal:5432/polaris",
      username: "polaris",
      password: pulumi.secret(PROD_DB_PASSWORD),
    },
    replicas: 3,
    tokenBroker: { secretName: "polaris-token-keys" },
    roleArn: PROD_ROLE_ARN,
    aws: { region: "eu-west-1" },
    logLevel: "WARN",
    featureFlags: { ALLOW_SETTING_S3_ENDPOINTS: false },
    ingress: { host: "polaris.example.com", tlsSecretName: "polaris-example-tls", className: "nginx" },
    networkPolicy: {
      apiClients: [{ namespaces: ["ingress-nginx"] }, { podLabels: { "polaris-client": "true" } }],
      managementClients: [
        { namespaces: ["monitoring"], podLabels: { "app.kubernetes.io/name": "prometheus" } },
      ],
    },
  };
}

/**
 * Builds a PolarisServer, capturing each child with its options through a transformation (inherited by
 * every child), and waits until every child is registered with the mocked engine.
 */
export async function buildServer(
  Server: typeof PolarisServer,
  name: string,
  args: PolarisServerArgs,
): Promise<{ server: PolarisServer; children: ConstructedChild[] }> {
  const { component: server, children } = constructCapturingChildren((opts) => new Server(name, args, opts));
  await Promise.all([
    outputValue(server.connection),
    ...children.map((child) => outputValue(child.resource.urn)),
  ]);
  return { server, children };
}

/** The resources a component registered: its own children, found by their `${name}-` prefix. */
export function childrenOf(recorder: Recorder, name: string): RegisteredResource[] {
  return recorder.registered.filter((resource) => resource.name.startsWith(`${name}-`));
}

export type { Json };

export function inputsOf(recorder: Recorder, type: string, name: string): Json {
  return recorder.one(type, name).inputs;
}
