import { describe, expect, it } from "vitest";
import type { PolarisServerArgs } from "../../../src/k8s/polaris-server";
import { peerProblem, polarisIngressRules } from "../../../src/k8s/polaris-server/network-policy";
import {
  contentDigest,
  type PolarisPropertySettings,
  polarisProperties,
  renderProperties,
} from "../../../src/k8s/polaris-server/properties";
import { resolvePolarisSettings } from "../../../src/k8s/polaris-server/settings";

const fail = (message: string): never => {
  throw new Error(message);
};
const resolve = (args: PolarisServerArgs) => resolvePolarisSettings("polaris", args, fail);

const baseProperties: PolarisPropertySettings = {
  realm: "POLARIS",
  persistence: "in-memory",
  logLevel: "INFO",
  supportedStorageTypes: ["S3"],
  featureFlags: {},
  apiPort: 8181,
  managementPort: 8182,
  additionalProperties: {},
};

describe("application.properties", () => {
  it("renders the settings in a stable order with feature values as Polaris parses them", () => {
    const text = renderProperties(
      polarisProperties({
        ...baseProperties,
        featureFlags: { ZETA: "text", ALPHA: ["a", "b"], MIDDLE: 3 },
        additionalProperties: { "quarkus.http.cors.origins": "https://ui.example.com" },
      }),
    );
    expect(text).toBe(
      [
        "quarkus.http.port=8181",
        "quarkus.management.port=8182",
        "quarkus.log.level=INFO",
        "polaris.realm-context.realms=POLARIS",
        "polaris.persistence.type=in-memory",
        'polaris.features."SUPPORTED_CATALOG_STORAGE_TYPES"=["S3"]',
        'polaris.features."ALPHA"=["a","b"]',
        'polaris.features."MIDDLE"=3',
        'polaris.features."ZETA"=text',
        "quarkus.http.cors.origins=https://ui.example.com",
        "",
      ].join("\n"),
    );
  });

  it("escapes what java.util.Properties would otherwise split or swallow", () => {
    const text = renderProperties(new Map([["a key:with=odd\\chars", "line one\nline two \\ end"]]));
    expect(text).toBe("a\\ key\\:with\\=odd\\\\chars=line one\\nline two \\\\ end\n");
  });

  it("allows FILE storage only together with the flags Polaris needs for it", () => {
    const withFile = polarisProperties({ ...baseProperties, supportedStorageTypes: ["S3", "FILE"] });
    expect(withFile.get('polaris.features."ALLOW_INSECURE_STORAGE_TYPES"')).toBe("true");
    expect(withFile.get("polaris.readiness.ignore-severe-issues")).toBe("true");
    const withoutFile = polarisProperties(baseProperties);
    expect(withoutFile.has('polaris.features."ALLOW_INSECURE_STORAGE_TYPES"')).toBe(false);
    expect(withoutFile.has("polaris.readiness.ignore-severe-issues")).toBe(false);
  });

  it("names the ConfigMap after the content, so a changed file means a new ConfigMap and a rollout", () => {
    const one = renderProperties(polarisProperties(baseProperties));
    const other = renderProperties(polarisProperties({ ...baseProperties, logLevel: "DEBUG" }));
    expect(contentDigest(one)).toMatch(/^[0-9a-f]{10}$/);
    expect(
      contentDigest(renderProperties(polarisProperties({ ...baseProperties }))),
      "stable across renders",
    ).toBe(contentDigest(one));
    expect(contentDigest(one)).not.toBe(contentDigest(other));
  });
});

describe("argument defaults", () => {
  it("defaults to one in-memory replica of apache/polaris:1.8.0, realm POLARIS, client root, S3 only", () => {
    const settings = resolve({});
    expect(settings).toMatchObject({
      image: "apache/polaris:1.8.0",
      adminToolImage: "apache/polaris-admin-tool:1.8.0",
      realm: "POLARIS",
      rootClientId: "root",
      persistence: "in-memory",
      replicas: 1,
      supportedStorageTypes: ["S3"],
      networkPolicy: { apiClients: "all", managementClients: [] },
    });
    expect(settings.autoscaling).toBeUndefined();
    expect(settings.jdbc).toBeUndefined();
    expect(settings.properties.logLevel).toBe("INFO");
  });

  it("takes the admin tool's tag from a mirrored server image, and needs it given for a digest", () => {
    expect(resolve({ image: "registry.example.com:5000/mirror/polaris:1.8.1" }).adminToolImage).toBe(
      "apache/polaris-admin-tool:1.8.1",
    );
    const digest = `apache/polaris@sha256:${"a".repeat(64)}`;
    expect(() => resolve({ image: digest })).toThrow(
      /adminToolImage is required when image .* is pinned by digest/,
    );
    expect(resolve({ image: digest, adminToolImage: "apache/polaris-admin-tool:1.8.0" }).image).toBe(digest);
  });

  it("derives autoscaling from replicas: minimum = replicas, maximum twice that, 75% CPU", () => {
    const prod = {
      persistence: "relational-jdbc",
      jdbc: { existingSecretName: "polaris-db" },
      tokenBroker: { secretName: "keys" },
    } as const;
    expect(resolve({ ...prod, replicas: 2 }).autoscaling).toEqual({
      minReplicas: 2,
      maxReplicas: 4,
      targetCpuUtilization: 75,
    });
    expect(
      resolve({ ...prod, replicas: 2, autoscaling: { maxReplicas: 10, targetCpuUtilization: 60 } })
        .autoscaling,
    ).toEqual({ minReplicas: 2, maxReplicas: 10, targetCpuUtilization: 60 });
    expect(() => resolve({ ...prod, replicas: 3, autoscaling: { maxReplicas: 2 } })).toThrow(
      /autoscaling\.maxReplicas \(2\) must be a whole number of at least replicas \(3\)/,
    );
    expect(resolve({ ...prod, replicas: 2 }).jdbc).toEqual({
      kind: "existing-secret",
      secretName: "polaris-db",
    });
  });

  it("refuses impossible replica counts and half-given static AWS keys", () => {
    expect(() => resolve({ replicas: 0 })).toThrow(/replicas must be a whole number of at least 1, got 0/);
    expect(() => resolve({ aws: { accessKeyId: "only-the-id" } })).toThrow(
      /aws\.accessKeyId and aws\.secretAccessKey go together/,
    );
  });

  it("leaves the NetworkPolicy out only when asked", () => {
    expect(resolve({ networkPolicy: { enabled: false } }).networkPolicy).toBeUndefined();
  });
});

describe("network peers", () => {
  it("explains a peer that selects nothing or mixes an IP range with selectors", () => {
    expect(peerProblem({})).toBe("give namespaces, podLabels or cidr");
    expect(peerProblem({ cidr: "10.0.0.0/8", namespaces: ["a"] })).toBe(
      "cidr cannot be combined with namespaces or podLabels",
    );
    expect(peerProblem({ namespaces: [] })).toMatch(/namespaces is empty/);
    expect(peerProblem({ namespaces: ["monitoring"] })).toBeUndefined();
    expect(() => resolve({ networkPolicy: { managementClients: [{}] } })).toThrow(
      /networkPolicy\.managementClients\[0\]: give namespaces, podLabels or cidr/,
    );
  });

  it("opens the management port only when someone is listed for it", () => {
    const ports = { api: 8181, management: 8182 };
    expect(polarisIngressRules(ports, "all", [])).toHaveLength(1);
    const rules = polarisIngressRules(ports, "all", [{ podLabels: { app: "prometheus" } }]);
    expect(rules[1]).toEqual({
      ports: [{ protocol: "TCP", port: 8182 }],
      from: [{ podSelector: { matchLabels: { app: "prometheus" } } }],
    });
  });
});
