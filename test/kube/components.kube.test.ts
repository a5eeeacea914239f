import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as LocalS3StorageModule from "../../src/k8s/local-s3-storage";
import type * as PolarisServerModule from "../../src/k8s/polaris-server";
import { type KubeApiServer, type KubeObject, startKubeApiServer } from "../support/kube-apiserver";
import { type Json, outputValue, recordResources } from "../support/mocks";
import { installCrd, polarisServerCrds } from "./support/crds";
import { dryRunRendered, notClean, prepareNamespace, type Verdict } from "./support/dry-run";
import { isKubernetesObject, manifestOf, podOf } from "./support/objects";

// The components' documented examples (README: PolarisServer for local and prod, LocalS3Storage with moto
// and with LocalStack), the options that follow the Polaris Helm chart (with their CRDs installed), and pods
// that must be refused, all sent to one real kube-apiserver with PodSecurity "restricted".

let server: KubeApiServer;
let PolarisServer: typeof PolarisServerModule.PolarisServer;
let LocalS3Storage: typeof LocalS3StorageModule.LocalS3Storage;
let emulatorPodSecurityLevel: typeof LocalS3StorageModule.emulatorPodSecurityLevel;

/** Renders what `build` constructs under fresh mocks and returns its Kubernetes objects. */
async function render(build: () => pulumi.Resource[]): Promise<KubeObject[]> {
  const recorder = await recordResources({ stack: "kube" });
  const built = build();
  await Promise.all(built.map((resource) => outputValue(resource.urn)));
  for (const resource of built) {
    if (resource instanceof PolarisServer) await outputValue(resource.connection);
    if (resource instanceof LocalS3Storage) await outputValue(resource.catalogStorage);
  }
  return recorder.registered.filter(isKubernetesObject).map(manifestOf);
}

const podSecurityLabels = (level: string) => ({
  "pod-security.kubernetes.io/enforce": level,
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/warn": level,
  "pod-security.kubernetes.io/warn-version": "latest",
});

const verdictsSeen: Verdict[] = [];

beforeAll(async () => {
  ({ PolarisServer } = await import("../../src/k8s/polaris-server"));
  ({ LocalS3Storage, emulatorPodSecurityLevel } = await import("../../src/k8s/local-s3-storage"));
  server = await startKubeApiServer();
  console.info(`kube-apiserver ${server.version} ready in ${(server.startMs / 1000).toFixed(1)} s`);
});

afterAll(async () => {
  const onPurpose = notClean(verdictsSeen).length;
  console.info(
    `components: ${verdictsSeen.length} objects dry-run, ${onPurpose} of them refused or warned about on purpose`,
  );
  await server?.stop();
});

async function dryRun(objects: KubeObject[]): Promise<Verdict[]> {
  const verdicts = await dryRunRendered(server.client, objects);
  verdictsSeen.push(...verdicts);
  return verdicts;
}

describe("the README's examples on a real kube-apiserver", () => {
  it("PolarisServer for local: its own namespace enforcing restricted, every object accepted with no warning", async () => {
    const objects = await render(() => [
      new PolarisServer("polaris", { createNamespace: true, supportedStorageTypes: ["S3"] }),
    ]);
    const verdicts = await dryRun(objects);
    expect(notClean(verdicts)).toEqual([]);
    expect(verdicts.map((verdict) => verdict.object)).toContain("Pod polaris/polaris-pod");
    const namespace = await server.client.request("GET", "/api/v1/namespaces/polaris");
    expect(namespace.body.metadata.labels).toMatchObject(podSecurityLabels("restricted"));
  });

  it("PolarisServer for prod: JDBC, three replicas, IRSA and a TLS Ingress, every object accepted with no warning", async () => {
    await prepareNamespace(server.client, "polaris-prod");
    const objects = await render(() => [
      new PolarisServer("polaris", {
        namespace: "polaris-prod",
        persistence: "relational-jdbc",
        jdbc: { existingSecretName: "polaris-db" },
        replicas: 3,
        tokenBroker: { secretName: "polaris-token-broker" },
        roleArn: "arn:aws:iam::123456789012:role/polaris/polaris-server",
        ingress: { host: "polaris.example.com", tlsSecretName: "polaris-tls" },
      }),
    ]);
    const verdicts = await dryRun(objects);
    expect(notClean(verdicts)).toEqual([]);
    expect(verdicts.map((verdict) => verdict.object)).toEqual(
      expect.arrayContaining([
        "Ingress polaris-prod/polaris",
        "HorizontalPodAutoscaler polaris-prod/polaris",
        "Pod polaris-prod/polaris-pod",
        expect.stringMatching(/^Pod polaris-prod\/polaris-bootstrap-[0-9a-f]{8}-pod$/),
      ]),
    );
  });

  it("LocalS3Storage with moto, beside Polaris in a restricted namespace, accepted with no warning", async () => {
    expect(emulatorPodSecurityLevel("moto")).toBe("restricted");
    const objects = await render(() => [
      new LocalS3Storage("local", { namespace: "polaris", bucketName: "warehouse" }),
    ]);
    const verdicts = await dryRun(objects);
    expect(notClean(verdicts)).toEqual([]);
    expect(verdicts.filter((verdict) => verdict.object.startsWith("Pod "))).toHaveLength(1);
  });

  it("LocalS3Storage with LocalStack: refused by a restricted namespace, accepted by a baseline one", async () => {
    const localstack = (namespace: string) =>
      render(() => [
        new LocalS3Storage("local", {
          namespace,
          emulator: "localstack",
          localstackAuthToken: pulumi.secret("ls-auth-token"),
        }),
      ]);
    // LocalStack's image starts only as root, so its namespace must be "baseline" (the platform labels it so).
    const level = emulatorPodSecurityLevel("localstack");
    expect(level).toBe("baseline");
    await prepareNamespace(server.client, "localstack", podSecurityLabels(level));
    const verdicts = await dryRun(await localstack("localstack"));
    expect(notClean(verdicts)).toEqual([]);

    await prepareNamespace(server.client, "localstack-restricted");
    const refused = notClean(await dryRun(await localstack("localstack-restricted")));
    expect(refused).toEqual([
      expect.objectContaining({
        object: expect.stringMatching(/^Deployment localstack-restricted\/local-s3-/),
        status: 201,
        warnings: [
          expect.stringMatching(/would violate PodSecurity "restricted:latest": runAsNonRoot != true/),
        ],
      }),
      expect.objectContaining({
        object: expect.stringMatching(/^Pod localstack-restricted\/local-s3-/),
        status: 403,
        message: expect.stringMatching(/violates PodSecurity "restricted:latest": runAsNonRoot != true/),
      }),
    ]);
  });
});

describe("the PodSecurity admission plugin refuses a broken pod with its own message", () => {
  let pod: KubeObject;
  beforeAll(async () => {
    await prepareNamespace(server.client, "broken");
    const objects = await render(() => [new PolarisServer("broken", { namespace: "broken" })]);
    pod = podOf(objects.find((object) => object.kind === "Deployment")!)!;
    // The pod as it is rendered is admitted (its ServiceAccount created on the way), so each refusal below
    // is the change's doing.
    const verdicts = await dryRun(objects);
    expect(notClean(verdicts)).toEqual([]);
    expect(verdicts.map((verdict) => verdict.object)).toContain("Pod broken/broken-pod");
  });

  const refusal = async (change: (spec: Json) => void) => {
    const broken = structuredClone(pod);
    change(broken.spec);
    return server.client.create(broken, { dryRun: true });
  };

  it("refuses a pod that runs as root", async () => {
    const response = await refusal((spec) => {
      spec.securityContext.runAsUser = 0;
    });
    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(
      /pods "broken-pod" is forbidden: violates PodSecurity "restricted:latest": runAsUser=0 \(pod must not set runAsUser=0\)/,
    );
  });

  it("refuses a pod without a seccomp profile", async () => {
    const response = await refusal((spec) => {
      delete spec.securityContext.seccompProfile;
      for (const container of spec.containers) delete container.securityContext.seccompProfile;
    });
    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(
      /violates PodSecurity "restricted:latest": seccompProfile \(pod or container "polaris" must set securityContext\.seccompProfile\.type to "RuntimeDefault" or "Localhost"\)/,
    );
  });
});

describe("PolarisServer's Helm-chart options, with the Gateway API and prometheus-operator CRDs installed", () => {
  beforeAll(async () => {
    const crds = polarisServerCrds();
    await installCrd(server.client, crds.httpRoute);
    await installCrd(server.client, crds.serviceMonitor);
    await server.client.mustCreate({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "polaris-critical" },
      value: 100_000,
    });
  });

  it("accepts the ServiceMonitor, the HTTPRoute, the spread and the priority class with no warning", async () => {
    const objects = await render(() => [
      new PolarisServer("polaris", {
        namespace: "data-platform",
        createNamespace: true,
        persistence: "relational-jdbc",
        jdbc: { existingSecretName: "polaris-db" },
        replicas: 3,
        tokenBroker: { secretName: "polaris-token-broker" },
        httpRoute: {
          gatewayName: "shared-gateway",
          gatewayNamespace: "gateways",
          sectionName: "https",
          hostnames: ["polaris.example.com"],
        },
        serviceMonitor: { labels: { release: "prometheus" }, interval: "1m" },
        networkPolicy: { managementClients: [{ namespaces: ["monitoring"] }] },
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" },
        ],
        priorityClassName: "polaris-critical",
      }),
    ]);
    const verdicts = await dryRun(objects);
    expect(notClean(verdicts)).toEqual([]);
    expect(verdicts.map((verdict) => verdict.object)).toEqual(
      expect.arrayContaining([
        "ServiceMonitor data-platform/polaris",
        "HTTPRoute data-platform/polaris",
        "Pod data-platform/polaris-pod",
      ]),
    );
  });

  it("would refuse what the CRDs and the Priority plugin do not accept, so the acceptance above means something", async () => {
    const monitor = await server.client.create(
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: "bad-interval", namespace: "data-platform" },
        spec: { selector: {}, endpoints: [{ port: "management", interval: "30 seconds" }] },
      },
      { dryRun: true },
    );
    expect(monitor.status).toBe(422);
    expect(monitor.body.message).toMatch(/spec\.endpoints\[0\]\.interval: Invalid value: "30 seconds"/);

    const route = await server.client.create(
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "bad-host", namespace: "data-platform" },
        spec: { parentRefs: [{ name: "shared-gateway" }], hostnames: ["https://polaris.example.com"] },
      },
      { dryRun: true },
    );
    expect(route.status).toBe(422);
    expect(route.body.message).toMatch(/spec\.hostnames\[0\]/);

    const objects = await render(() => [
      new PolarisServer("unknown-priority", {
        namespace: "data-platform",
        priorityClassName: "no-such-class",
      }),
    ]);
    expect(notClean(await dryRun(objects))).toEqual([
      expect.objectContaining({
        object: "Pod data-platform/unknown-priority-pod",
        status: 403,
        message: expect.stringMatching(/no PriorityClass with name no-such-class was found/),
      }),
    ]);
  });
});
