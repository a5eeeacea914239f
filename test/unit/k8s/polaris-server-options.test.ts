import { beforeAll, describe, expect, it } from "vitest";
import type { PolarisServer as PolarisServerType } from "../../../src/k8s/polaris-server";
import { outputValue, recordResources } from "../../support/mocks";
import {
  buildServer,
  childrenOf,
  inputsOf,
  type Json,
  K8S,
  prodArgs,
  type Recorder,
} from "./polaris-server-fixtures";

// The options that follow the Apache Polaris Helm chart: a ServiceMonitor, a Gateway API HTTPRoute,
// topologySpreadConstraints and priorityClassName. test/kube/polaris-server-options.kube.test.ts sends the
// same objects to a real API server with the CRDs installed.

const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const SELECTOR = { "app.kubernetes.io/name": "polaris", "app.kubernetes.io/component": "server" };
const MONITORING = { managementClients: [{ namespaces: ["monitoring"] }] };

let recorder: Recorder;
let PolarisServer: typeof PolarisServerType;

beforeAll(async () => {
  recorder = await recordResources();
  ({ PolarisServer } = await import("../../../src/k8s/polaris-server"));
});

const podSpec = (name: string): Json =>
  inputsOf(recorder, K8S.deployment, `${name}-server`).spec.template.spec;

describe("ServiceMonitor", () => {
  beforeAll(async () => {
    await buildServer(PolarisServer, "plain", {});
    await buildServer(PolarisServer, "monitored", {
      serviceMonitor: { labels: { release: "prometheus" } },
      networkPolicy: MONITORING,
    });
    await buildServer(PolarisServer, "monitored-fast", {
      serviceMonitor: { interval: "1m30s" },
      networkPolicy: { enabled: false },
    });
  });

  it("is created only when asked for", () => {
    expect(childrenOf(recorder, "plain").filter((r) => r.type === SERVICE_MONITOR)).toEqual([]);
    expect(recorder.ofType(SERVICE_MONITOR).map((r) => r.name)).toEqual([
      "monitored-service-monitor",
      "monitored-fast-service-monitor",
    ]);
  });

  it("scrapes /q/metrics on the management port of this server's Service, every 30 s by default", () => {
    const monitor = inputsOf(recorder, SERVICE_MONITOR, "monitored-service-monitor");
    expect(monitor.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(monitor.metadata.name).toBe("monitored");
    expect(monitor.metadata.labels).toMatchObject({
      release: "prometheus",
      "app.kubernetes.io/instance": "monitored",
    });
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { ...SELECTOR, "app.kubernetes.io/instance": "monitored" } },
      namespaceSelector: { matchNames: ["default"] },
      endpoints: [{ port: "management", path: "/q/metrics", scheme: "http", interval: "30s" }],
    });
    const service = inputsOf(recorder, K8S.service, "monitored-server");
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((port: Json) => port.name)).toContain("management");
    const interval = inputsOf(recorder, SERVICE_MONITOR, "monitored-fast-service-monitor").spec.endpoints[0]
      .interval;
    expect(interval).toBe("1m30s");
  });

  it("refuses an interval Prometheus cannot read, and a NetworkPolicy that would keep Prometheus out", () => {
    expect(() => new PolarisServer("bad-interval", { serviceMonitor: { interval: "30 seconds" } })).toThrow(
      /serviceMonitor\.interval "30 seconds" is not a Prometheus duration: use one such as "30s"/,
    );
    expect(() => new PolarisServer("bad-monitor", { serviceMonitor: {} })).toThrow(
      /serviceMonitor needs networkPolicy\.managementClients: the NetworkPolicy admits no pod to the metrics port 8182/,
    );
  });
});

describe("Gateway API HTTPRoute", () => {
  let routed: PolarisServerType;
  let wildcard: PolarisServerType;
  beforeAll(async () => {
    ({ server: routed } = await buildServer(PolarisServer, "routed", {
      httpRoute: {
        gatewayName: "shared-gateway",
        gatewayNamespace: "gateways",
        sectionName: "https",
        hostnames: ["polaris.example.com"],
      },
    }));
    ({ server: wildcard } = await buildServer(PolarisServer, "wildcard", {
      httpRoute: { gatewayName: "shared-gateway", hostnames: ["*.example.com"], scheme: "http" },
    }));
  });

  it("attaches to the Gateway's listener and routes every path to the API port", () => {
    const route = inputsOf(recorder, HTTP_ROUTE, "routed-http-route");
    expect(route.apiVersion).toBe("gateway.networking.k8s.io/v1");
    expect(route.spec).toEqual({
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: "shared-gateway",
          namespace: "gateways",
          sectionName: "https",
        },
      ],
      hostnames: ["polaris.example.com"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [{ name: "routed", port: 8181 }],
        },
      ],
    });
    expect(childrenOf(recorder, "routed").filter((r) => r.type === K8S.ingress)).toEqual([]);
  });

  it("gives the external catalog URI from the first host name, and none for a wildcard", async () => {
    expect(await outputValue(routed.externalCatalogUri)).toBe("https://polaris.example.com/api/catalog");
    expect(await outputValue(routed.readyToManage)).toBe("https://polaris.example.com");
    expect(await outputValue(wildcard.externalCatalogUri)).toBeUndefined();
    expect(
      inputsOf(recorder, HTTP_ROUTE, "wildcard-http-route").spec.parentRefs[0].namespace,
    ).toBeUndefined();
  });

  it("refuses a second way in and a host name that is not one", () => {
    expect(
      () =>
        new PolarisServer("bad-route", {
          httpRoute: { gatewayName: "gw" },
          ingress: { host: "polaris.example.com" },
        }),
    ).toThrow(/set only one of ingress, loadBalancer and httpRoute, not ingress and httpRoute/);
    expect(
      () =>
        new PolarisServer("bad-host", {
          httpRoute: { gatewayName: "gw", hostnames: ["https://polaris.example.com"] },
        }),
    ).toThrow(/httpRoute\.hostnames\[0\] "https:\/\/polaris\.example\.com" is not a host name/);
  });
});

describe("topologySpreadConstraints and priorityClassName", () => {
  beforeAll(async () => {
    await buildServer(PolarisServer, "single", {});
    await buildServer(PolarisServer, "replicated", prodArgs());
    await buildServer(PolarisServer, "zonal", {
      ...prodArgs(),
      namespace: "zonal",
      createNamespace: false,
      priorityClassName: "polaris-critical",
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" },
        {
          maxSkew: 2,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: { team: "data" } },
        },
      ],
    });
  });

  it("by default spread one replica nowhere, and several one per node where possible", () => {
    expect(podSpec("single").topologySpreadConstraints).toBeUndefined();
    expect(podSpec("single").priorityClassName).toBeUndefined();
    expect(podSpec("replicated").topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { ...SELECTOR, "app.kubernetes.io/instance": "replicated" } },
      },
    ]);
  });

  it("uses the constraints given, selecting this server's pods where no selector is given", () => {
    expect(podSpec("zonal").topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { ...SELECTOR, "app.kubernetes.io/instance": "zonal" } },
      },
      {
        maxSkew: 2,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { team: "data" } },
      },
    ]);
  });

  it("gives the server and the bootstrap pods the priority class", () => {
    expect(podSpec("zonal").priorityClassName).toBe("polaris-critical");
    const bootstrap = inputsOf(recorder, K8S.job, "zonal-bootstrap").spec.template.spec;
    expect(bootstrap.priorityClassName).toBe("polaris-critical");
  });
});
