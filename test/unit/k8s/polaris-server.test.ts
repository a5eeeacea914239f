import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { PolarisServer as PolarisServerType } from "../../../src/k8s/polaris-server";
import { isSecret, outputValue, recordResources } from "../../support/mocks";
import {
  buildServer,
  COMPONENT,
  type ConstructedChild,
  childrenOf,
  inputsOf,
  type Json,
  K8S,
  localArgs,
  PROD_DB_PASSWORD,
  PROD_ROLE_ARN,
  prodArgs,
  RANDOM_PASSWORD,
  type Recorder,
} from "./polaris-server-fixtures";

let recorder: Recorder;
let PolarisServer: typeof PolarisServerType;

beforeAll(async () => {
  recorder = await recordResources();
  ({ PolarisServer } = await import("../../../src/k8s/polaris-server"));
});

const sortedKinds = (name: string) =>
  childrenOf(recorder, name)
    .map((resource) => `${resource.type} ${resource.name}`)
    .sort();

const envOf = (container: Json) =>
  Object.fromEntries((container.env as Json[]).map((variable) => [variable.name, variable]));

describe("PolarisServer, local: in-memory, one replica, no ingress", () => {
  let server: PolarisServerType;
  let children: ConstructedChild[];
  beforeAll(async () => {
    ({ server, children } = await buildServer(PolarisServer, "local", localArgs));
  });

  it("registers exactly the local resource graph, every child parented to the component", () => {
    expect(sortedKinds("local")).toEqual(
      [
        `${K8S.configMap} local-config`,
        `${K8S.deployment} local-server`,
        `${K8S.networkPolicy} local-network-policy`,
        `${K8S.secret} local-root-credentials`,
        `${K8S.secret} local-storage-credentials`,
        `${K8S.serviceAccount} local-service-account`,
        `${K8S.service} local-server`,
        `${RANDOM_PASSWORD} local-root-client-secret`,
      ].sort(),
    );
    expect(recorder.one(COMPONENT, "local")).toBeDefined();
    expect(children).toHaveLength(8);
    for (const child of children) expect(child.opts.parent, child.name).toBe(server);
  });

  it("runs the pinned default image with probes on the management port", () => {
    const deployment = inputsOf(recorder, K8S.deployment, "local-server");
    expect(deployment.metadata).toMatchObject({ name: "local", namespace: "polaris" });
    expect(deployment.spec.replicas).toBe(1);
    const [container, ...others] = deployment.spec.template.spec.containers;
    expect(others).toEqual([]);
    expect(container.image).toBe("apache/polaris:1.8.0");
    expect(container.ports).toEqual([
      { name: "api", containerPort: 8181, protocol: "TCP" },
      { name: "management", containerPort: 8182, protocol: "TCP" },
    ]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/q/health/ready", port: "management" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/q/health/live", port: "management" });
    expect(container.resources).toEqual({
      requests: { cpu: "250m", memory: "1Gi" },
      limits: { cpu: "2", memory: "1Gi" },
    });
  });

  it("bootstraps the in-memory realm from the Secret, never from a plain value", () => {
    const deployment = inputsOf(recorder, K8S.deployment, "local-server");
    const env = envOf(deployment.spec.template.spec.containers[0]);
    expect(env.POLARIS_BOOTSTRAP_CREDENTIALS).toEqual({
      name: "POLARIS_BOOTSTRAP_CREDENTIALS",
      valueFrom: { secretKeyRef: { name: "local-root-credentials", key: "bootstrapCredentials" } },
    });
    expect(env.AWS_SECRET_ACCESS_KEY.valueFrom.secretKeyRef).toEqual({
      name: "local-storage-credentials",
      key: "AWS_SECRET_ACCESS_KEY",
    });
    expect(env.AWS_REGION).toEqual({ name: "AWS_REGION", value: "us-east-1" });
    expect(env.QUARKUS_DATASOURCE_JDBC_URL, "no database in local mode").toBeUndefined();

    const secret = inputsOf(recorder, K8S.secret, "local-root-credentials");
    expect(secret.stringData).toEqual({
      clientId: "root",
      clientSecret: "mock-local-root-client-secret-random",
      bootstrapCredentials: "POLARIS,root,mock-local-root-client-secret-random",
    });
  });

  it("mounts the properties as application.properties with realm, persistence, log level and FILE flags", () => {
    const configMap = inputsOf(recorder, K8S.configMap, "local-config");
    expect(configMap.metadata.name).toMatch(/^local-config-[0-9a-f]{10}$/);
    const lines = String(configMap.data["application.properties"]).trim().split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "polaris.realm-context.realms=POLARIS",
        "polaris.persistence.type=in-memory",
        "quarkus.log.level=INFO",
        'polaris.features."SUPPORTED_CATALOG_STORAGE_TYPES"=["S3","FILE"]',
        'polaris.features."ALLOW_INSECURE_STORAGE_TYPES"=true',
        "polaris.readiness.ignore-severe-issues=true",
      ]),
    );
    expect(lines.some((line) => line.startsWith("polaris.authentication.token-broker"))).toBe(false);

    const pod = inputsOf(recorder, K8S.deployment, "local-server").spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: "config",
      configMap: {
        name: configMap.metadata.name,
        items: [{ key: "application.properties", path: "application.properties" }],
      },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "config",
      mountPath: "/deployments/config",
      readOnly: true,
    });
  });

  it("serves 8181 and 8182 on a ClusterIP Service and opens only 8181 to other pods", () => {
    const service = inputsOf(recorder, K8S.service, "local-server");
    expect(service.spec.type).toBe("ClusterIP");
    expect(service.spec.ports.map((port: Json) => [port.name, port.port])).toEqual([
      ["api", 8181],
      ["management", 8182],
    ]);
    const policy = inputsOf(recorder, K8S.networkPolicy, "local-network-policy");
    expect(policy.spec.policyTypes).toEqual(["Ingress"]);
    expect(policy.spec.ingress).toEqual([{ ports: [{ protocol: "TCP", port: 8181 }] }]);
    expect(policy.spec.podSelector.matchLabels).toEqual(service.spec.selector);
  });

  it("creates no Namespace, Job, PodDisruptionBudget, autoscaler or Ingress, and no IRSA annotation", () => {
    const types = new Set(childrenOf(recorder, "local").map((resource) => resource.type));
    for (const absent of [K8S.namespace, K8S.job, K8S.pdb, K8S.hpa, K8S.ingress]) {
      expect(types.has(absent), absent).toBe(false);
    }
    const account = inputsOf(recorder, K8S.serviceAccount, "local-service-account");
    expect(account.metadata.annotations).toBeUndefined();
  });

  it("exports in-cluster URIs, the port-forward URI as the connection, and the secret only as a secret", async () => {
    expect(await outputValue(server.catalogUri)).toBe(
      "http://local.polaris.svc.cluster.local:8181/api/catalog",
    );
    expect(await outputValue(server.managementUri)).toBe(
      "http://local.polaris.svc.cluster.local:8181/api/management/v1",
    );
    expect(await outputValue(server.healthUrl)).toBe(
      "http://local.polaris.svc.cluster.local:8182/q/health/ready",
    );
    expect(await outputValue(server.externalCatalogUri)).toBe("http://localhost:8181/api/catalog");
    expect(await outputValue(server.connection)).toEqual({
      uri: "http://localhost:8181",
      realm: "POLARIS",
      clientId: "root",
      clientSecret: "mock-local-root-client-secret-random",
      scope: "PRINCIPAL_ROLE:service_admin",
    });
    expect(await isSecret(server.rootClientSecret)).toBe(true);
    expect(await isSecret(server.connection)).toBe(true);
    expect(await isSecret(server.catalogUri)).toBe(false);
  });
});

describe("PolarisServer, prod: JDBC, three replicas, token-broker keys, IRSA, TLS ingress", () => {
  let server: PolarisServerType;
  let children: ConstructedChild[];
  beforeAll(async () => {
    ({ server, children } = await buildServer(PolarisServer, "prod", prodArgs()));
  });

  it("registers exactly the prod resource graph, every child parented to the component", () => {
    expect(sortedKinds("prod")).toEqual(
      [
        `${K8S.configMap} prod-config`,
        `${K8S.deployment} prod-server`,
        `${K8S.hpa} prod-hpa`,
        `${K8S.job} prod-bootstrap`,
        `${K8S.namespace} prod-namespace`,
        `${K8S.networkPolicy} prod-network-policy`,
        `${K8S.ingress} prod-ingress`,
        `${K8S.pdb} prod-pdb`,
        `${K8S.secret} prod-jdbc`,
        `${K8S.secret} prod-root-credentials`,
        `${K8S.serviceAccount} prod-service-account`,
        `${K8S.service} prod-server`,
        `${RANDOM_PASSWORD} prod-root-client-secret`,
      ].sort(),
    );
    for (const child of children) expect(child.opts.parent, child.name).toBe(server);
  });

  it("creates the namespace enforcing and warning on the restricted Pod Security Standard, and uses it everywhere", () => {
    const namespace = inputsOf(recorder, K8S.namespace, "prod-namespace");
    expect(namespace.metadata.name).toBe("data-platform");
    expect(namespace.metadata.labels).toEqual({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": "latest",
    });
    for (const resource of childrenOf(recorder, "prod")) {
      if (resource.type.startsWith("kubernetes:") && resource.type !== K8S.namespace) {
        expect((resource.inputs as Json).metadata.namespace, resource.name).toBe("data-platform");
      }
    }
  });

  it("annotates the ServiceAccount with the IRSA role and runs the server under it", () => {
    const account = inputsOf(recorder, K8S.serviceAccount, "prod-service-account");
    expect(account.metadata).toMatchObject({
      name: "prod",
      annotations: { "eks.amazonaws.com/role-arn": PROD_ROLE_ARN },
    });
    const pod = inputsOf(recorder, K8S.deployment, "prod-server").spec.template.spec;
    expect(pod.serviceAccountName).toBe("prod");
  });

  it("bootstraps the realm with the admin tool of the same tag, credentials from Secrets, before the rollout", () => {
    const job = inputsOf(recorder, K8S.job, "prod-bootstrap");
    const [container] = job.spec.template.spec.containers;
    expect(container.image).toBe("apache/polaris-admin-tool:1.8.0");
    expect(container.args).toEqual([
      "bootstrap",
      "--realm",
      "POLARIS",
      "--credential",
      "$(POLARIS_BOOTSTRAP_CREDENTIALS)",
    ]);
    const env = envOf(container);
    expect(env.POLARIS_BOOTSTRAP_CREDENTIALS.valueFrom.secretKeyRef).toEqual({
      name: "prod-root-credentials",
      key: "bootstrapCredentials",
    });
    for (const [variable, key] of [
      ["QUARKUS_DATASOURCE_JDBC_URL", "jdbcUrl"],
      ["QUARKUS_DATASOURCE_USERNAME", "username"],
      ["QUARKUS_DATASOURCE_PASSWORD", "password"],
    ]) {
      expect(env[variable!].valueFrom.secretKeyRef, variable).toEqual({ name: "prod-jdbc", key });
    }
    expect(env.POLARIS_PERSISTENCE_TYPE.value).toBe("relational-jdbc");

    const deployment = children.find((child) => child.type === K8S.deployment)!;
    const jobResource = children.find((child) => child.type === K8S.job)!.resource;
    expect(deployment.opts.dependsOn, "the Deployment waits for the bootstrap Job").toEqual([jobResource]);
  });

  it("connects the server to PostgreSQL through the JDBC Secret and does not give it the bootstrap secret", () => {
    const container = inputsOf(recorder, K8S.deployment, "prod-server").spec.template.spec.containers[0];
    const env = envOf(container);
    expect(env.QUARKUS_DATASOURCE_PASSWORD.valueFrom.secretKeyRef).toEqual({
      name: "prod-jdbc",
      key: "password",
    });
    expect(env.QUARKUS_DATASOURCE_JDBC_URL.valueFrom.secretKeyRef).toEqual({
      name: "prod-jdbc",
      key: "jdbcUrl",
    });
    expect(env.POLARIS_BOOTSTRAP_CREDENTIALS).toBeUndefined();
    expect(env.AWS_REGION.value).toBe("eu-west-1");
    expect(env.AWS_ACCESS_KEY_ID, "IRSA, not static keys").toBeUndefined();

    const jdbcSecret = inputsOf(recorder, K8S.secret, "prod-jdbc");
    expect(jdbcSecret.stringData).toEqual({
      jdbcUrl: "jdbc:postgresql://polaris-db.example.internal:5432/polaris",
      username: "polaris",
      password: PROD_DB_PASSWORD,
    });
    expect(
      JSON.stringify(recorder.one(K8S.secret, "prod-jdbc").redactedInputs),
      "the password reaches the engine as a secret",
    ).not.toContain(PROD_DB_PASSWORD);
  });

  it("configures relational-jdbc and the shared rsa-key-pair token broker from the mounted Secret", () => {
    const properties = String(
      inputsOf(recorder, K8S.configMap, "prod-config").data["application.properties"],
    );
    const lines = properties.trim().split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "polaris.persistence.type=relational-jdbc",
        "quarkus.log.level=WARN",
        'polaris.features."SUPPORTED_CATALOG_STORAGE_TYPES"=["S3"]',
        'polaris.features."ALLOW_SETTING_S3_ENDPOINTS"=false',
        "polaris.authentication.token-broker.type=rsa-key-pair",
        "polaris.authentication.token-broker.rsa-key-pair.public-key-file=/deployments/token-broker/public.pem",
        "polaris.authentication.token-broker.rsa-key-pair.private-key-file=/deployments/token-broker/private.pem",
      ]),
    );
    expect(properties, "FILE was not requested").not.toContain("ALLOW_INSECURE_STORAGE_TYPES");

    const pod = inputsOf(recorder, K8S.deployment, "prod-server").spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: "token-broker",
      secret: {
        secretName: "polaris-token-keys",
        defaultMode: 0o440,
        items: [
          { key: "public.pem", path: "public.pem" },
          { key: "private.pem", path: "private.pem" },
        ],
      },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "token-broker",
      mountPath: "/deployments/token-broker",
      readOnly: true,
    });
  });

  it("leaves the replica count to the autoscaler (min 3, max 6, 75% CPU) and keeps a PDB", () => {
    const deployment = inputsOf(recorder, K8S.deployment, "prod-server");
    expect(deployment.spec.replicas).toBeUndefined();
    const hpa = inputsOf(recorder, K8S.hpa, "prod-hpa");
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "prod" },
      minReplicas: 3,
      maxReplicas: 6,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 75 } },
        },
      ],
    });
    const pdb = inputsOf(recorder, K8S.pdb, "prod-pdb");
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: deployment.spec.selector });
    expect(deployment.spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe(
      "kubernetes.io/hostname",
    );
  });

  it("routes the TLS ingress host to the API port and exports the external URIs", async () => {
    const ingress = inputsOf(recorder, K8S.ingress, "prod-ingress");
    expect(ingress.spec.ingressClassName).toBe("nginx");
    expect(ingress.spec.tls).toEqual([{ hosts: ["polaris.example.com"], secretName: "polaris-example-tls" }]);
    expect(ingress.spec.rules).toEqual([
      {
        host: "polaris.example.com",
        http: {
          paths: [
            { path: "/", pathType: "Prefix", backend: { service: { name: "prod", port: { name: "api" } } } },
          ],
        },
      },
    ]);
    expect(await outputValue(server.externalCatalogUri)).toBe("https://polaris.example.com/api/catalog");
    expect(await outputValue(server.catalogUri)).toBe(
      "http://prod.data-platform.svc.cluster.local:8181/api/catalog",
    );
    expect((await outputValue(server.connection)).uri).toBe("https://polaris.example.com");
  });

  it("admits API callers and monitoring only from the configured peers", () => {
    const policy = inputsOf(recorder, K8S.networkPolicy, "prod-network-policy");
    expect(policy.spec.ingress).toEqual([
      {
        ports: [{ protocol: "TCP", port: 8181 }],
        from: [
          {
            namespaceSelector: {
              matchExpressions: [
                { key: "kubernetes.io/metadata.name", operator: "In", values: ["ingress-nginx"] },
              ],
            },
          },
          { podSelector: { matchLabels: { "polaris-client": "true" } } },
        ],
      },
      {
        ports: [{ protocol: "TCP", port: 8182 }],
        from: [
          {
            namespaceSelector: {
              matchExpressions: [
                { key: "kubernetes.io/metadata.name", operator: "In", values: ["monitoring"] },
              ],
            },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
          },
        ],
      },
    ]);
  });

  it("makes readyToManage and the connection depend on the Deployment, the Service and the Ingress", async () => {
    const expected = [K8S.deployment, K8S.service, K8S.ingress].map(
      (type) => children.find((child) => child.type === type)!.resource,
    );
    // allResources() is what the SDK reads to compute an input's dependencies.
    const dependenciesOf = async (output: pulumi.Output<unknown>) =>
      (await (output as unknown as { allResources(): Promise<Set<pulumi.Resource>> }).allResources()) ??
      new Set();
    for (const output of [server.readyToManage, server.connection]) {
      const dependencies = await dependenciesOf(output);
      for (const resource of expected) expect(dependencies.has(resource)).toBe(true);
    }
    expect(await outputValue(server.readyToManage)).toBe("https://polaris.example.com");
  });
});

describe("PolarisServer secrets", () => {
  it("keeps the generated root secret out of every input except the root-credentials Secret's data", async () => {
    const runs = [
      { name: "leak-local", args: localArgs },
      { name: "leak-prod", args: { ...prodArgs(), namespace: "leak-prod" } },
    ];
    for (const { name, args } of runs) {
      const { server } = await buildServer(PolarisServer, name, args);
      const generated = `mock-${name}-root-client-secret-random`;
      expect(await isSecret(server.rootClientSecret)).toBe(true);
      expect(await outputValue(server.rootClientSecret)).toBe(generated);

      const credentials = recorder.one(K8S.secret, `${name}-root-credentials`);
      expect(JSON.stringify(credentials.inputs.stringData), "the Secret does hold it").toContain(generated);
      for (const resource of childrenOf(recorder, name)) {
        const { stringData, data, ...rest } = resource.inputs;
        const outsideSecretData = resource.type === K8S.secret ? rest : resource.inputs;
        expect(JSON.stringify(outsideSecretData), `${resource.type} ${resource.name}`).not.toContain(
          generated,
        );
      }
      for (const resource of childrenOf(recorder, name).filter((r) => r.type === K8S.secret)) {
        expect(
          JSON.stringify(resource.redactedInputs),
          `${resource.name} marks its data secret`,
        ).not.toContain(generated);
      }
    }
  });

  it("keeps the database password and static S3 key in their Secrets only", async () => {
    const everything = recorder.registered.filter((resource) => resource.type !== K8S.secret);
    const plain = JSON.stringify(everything.map((resource) => resource.inputs));
    expect(plain).not.toContain(PROD_DB_PASSWORD);
    expect(plain).not.toContain("local-s3-secret-key");
    const storage = recorder.one(K8S.secret, "local-storage-credentials");
    expect(storage.inputs.stringData).toEqual({
      AWS_ACCESS_KEY_ID: "local-access-key",
      AWS_SECRET_ACCESS_KEY: "local-s3-secret-key",
    });
    expect(JSON.stringify(storage.redactedInputs)).not.toContain("local-s3-secret-key");
  });
});

describe("PolarisServer refuses bad input with a message naming the argument and the fix", () => {
  const refusal = (name: string, args: Parameters<typeof buildServer>[2]) => () =>
    new PolarisServer(name, args);

  it("refuses several replicas on in-memory persistence", () => {
    expect(refusal("bad-memory", { replicas: 2, tokenBroker: { secretName: "keys" } })).toThrow(
      /replicas: 2 needs persistence: "relational-jdbc": with persistence "in-memory" every replica keeps its own/,
    );
  });

  it("refuses several replicas without a shared token-broker key pair", () => {
    const { tokenBroker: _, ...withoutKeys } = prodArgs();
    expect(refusal("bad-keys", withoutKeys)).toThrow(
      /replicas: 3 needs tokenBroker\.secretName, a Secret holding a shared RSA key pair/,
    );
  });

  it("refuses JDBC persistence without a connection Secret or URL", () => {
    expect(refusal("bad-jdbc", { persistence: "relational-jdbc" })).toThrow(
      /persistence "relational-jdbc" needs a database connection: give jdbc\.existingSecretName/,
    );
    expect(
      refusal("bad-jdbc-url", {
        persistence: "relational-jdbc",
        jdbc: { username: "polaris", password: pulumi.secret("x") },
      }),
    ).toThrow(/persistence "relational-jdbc" is missing jdbc\.url:/);
    expect(
      refusal("bad-jdbc-both", {
        persistence: "relational-jdbc",
        jdbc: { existingSecretName: "db", url: "jdbc:postgresql://db/polaris" },
      }),
    ).toThrow(/jdbc\.existingSecretName cannot be combined with jdbc\.url/);
    expect(refusal("bad-jdbc-unused", { jdbc: { existingSecretName: "db" } })).toThrow(
      /jdbc is set but persistence is "in-memory"/,
    );
  });

  it("refuses an ingress TLS secret without a host", () => {
    expect(refusal("bad-tls", { ingress: { tlsSecretName: "polaris-tls" } })).toThrow(
      /ingress\.tlsSecretName needs ingress\.host: a TLS certificate is issued for a host name/,
    );
  });

  it("refuses unpinned images, names that cannot name Kubernetes objects, and clashing settings", () => {
    expect(refusal("bad-image", { image: "apache/polaris:latest" })).toThrow(
      /image "apache\/polaris:latest" is not pinned/,
    );
    expect(refusal("bad-image-untagged", { image: "registry.local:5000/polaris" })).toThrow(/is not pinned/);
    expect(refusal("Bad_Name", {})).toThrow(/the component name "Bad_Name" names the Kubernetes objects/);
    expect(refusal("bad-realm", { realm: "a,b" })).toThrow(/realm "a,b" must be letters/);
    expect(refusal("bad-flag", { featureFlags: { ALLOW_INSECURE_STORAGE_TYPES: true } })).toThrow(
      /featureFlags\.ALLOW_INSECURE_STORAGE_TYPES is set by this component: use supportedStorageTypes/,
    );
    expect(refusal("bad-property", { additionalProperties: { "quarkus.http.port": "9000" } })).toThrow(
      /additionalProperties\["quarkus\.http\.port"\] is set by this component/,
    );
    expect(refusal("bad-exposure", { ingress: { host: "p.example.com" }, loadBalancer: {} })).toThrow(
      /set only one of ingress, loadBalancer and httpRoute, not ingress and loadBalancer/,
    );
    expect(refusal("bad-peers", { networkPolicy: { apiClients: [] } })).toThrow(
      /networkPolicy\.apiClients is empty: list the peers that may call Polaris, or use "all"/,
    );
    expect(refusal("bad-autoscaling", { autoscaling: { maxReplicas: 4 } })).toThrow(
      /autoscaling applies only with replicas > 1/,
    );
  });

  it("raises a ResourceError that points at the component", () => {
    let caught: unknown;
    try {
      new PolarisServer("bad-kind", { replicas: 2 });
    } catch (error) {
      caught = error;
    }
    expect(pulumi.ResourceError.isInstance(caught)).toBe(true);
  });

  it("registers no child for refused input", () => {
    const refusedNames = ["bad-memory", "bad-keys", "bad-jdbc", "bad-tls", "bad-kind"];
    for (const name of refusedNames) {
      const children = childrenOf(recorder, name).filter((resource) => resource.type !== COMPONENT);
      expect(children, name).toEqual([]);
    }
  });
});
