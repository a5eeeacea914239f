import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import { beforeAll, describe, expect, it } from "vitest";
import type { PolarisServer as PolarisServerType } from "../../../src/k8s/polaris-server";
import { recordResources } from "../../support/mocks";
import { restrictedViolations } from "./pod-security-standard";
import {
  buildServer,
  childrenOf,
  inputsOf,
  type Json,
  K8S,
  localArgs,
  prodArgs,
  RANDOM_PASSWORD,
  type Recorder,
} from "./polaris-server-fixtures";

let recorder: Recorder;
let PolarisServer: typeof PolarisServerType;

beforeAll(async () => {
  recorder = await recordResources();
  ({ PolarisServer } = await import("../../../src/k8s/polaris-server"));
  await buildServer(PolarisServer, "local", localArgs);
  await buildServer(PolarisServer, "prod", prodArgs());
  await buildServer(PolarisServer, "lb", {
    loadBalancer: { sourceRanges: ["203.0.113.0/24"] },
    networkPolicy: { apiClients: [{ cidr: "203.0.113.0/24" }] },
  });
});

// The models' declarations do not resolve under CommonJS type resolution; validate() is there at run time.
type Model = new (data: Json) => unknown;
const MODELS: Record<string, Model> = {
  [K8S.namespace]: Namespace as unknown as Model,
  [K8S.serviceAccount]: ServiceAccount as unknown as Model,
  [K8S.secret]: Secret as unknown as Model,
  [K8S.configMap]: ConfigMap as unknown as Model,
  [K8S.service]: Service as unknown as Model,
  [K8S.deployment]: Deployment as unknown as Model,
  [K8S.job]: Job as unknown as Model,
  [K8S.networkPolicy]: NetworkPolicy as unknown as Model,
  [K8S.ingress]: Ingress as unknown as Model,
  [K8S.pdb]: PodDisruptionBudget as unknown as Model,
  [K8S.hpa]: HorizontalPodAutoscaler as unknown as Model,
};

function validate(type: string, inputs: Json): void {
  const Model = MODELS[type];
  if (Model === undefined) throw new Error(`no schema model for ${type}`);
  // The recorded inputs are the object as the provider would send it: apiVersion, kind, metadata, spec/data.
  (new Model({ ...inputs }) as { validate(): void }).validate();
}

describe("PolarisServer Kubernetes objects against the upstream schemas", () => {
  it("covers every Kubernetes kind the component registers", () => {
    const kinds = new Set(
      ["local", "prod", "lb"].flatMap((name) => childrenOf(recorder, name).map((resource) => resource.type)),
    );
    kinds.delete(RANDOM_PASSWORD);
    expect([...kinds].sort()).toEqual(Object.keys(MODELS).sort());
  });

  for (const name of ["local", "prod", "lb"]) {
    it(`validates every object of the ${name} configuration`, () => {
      const objects = childrenOf(recorder, name).filter((resource) =>
        resource.type.startsWith("kubernetes:"),
      );
      expect(objects.length).toBeGreaterThan(5);
      for (const resource of objects) {
        expect(resource.inputs.apiVersion, resource.name).toBeTypeOf("string");
        expect(
          () => validate(resource.type, resource.inputs),
          `${resource.type} ${resource.name}`,
        ).not.toThrow();
      }
    });
  }

  it("would catch an invalid object (the check can fail)", () => {
    const deployment = structuredClone(inputsOf(recorder, K8S.deployment, "prod-server"));
    deployment.spec.template.spec.containers[0].ports[0].containerPort = "api";
    expect(() => validate(K8S.deployment, deployment)).toThrow();
    const hpa = structuredClone(inputsOf(recorder, K8S.hpa, "prod-hpa"));
    delete hpa.spec.maxReplicas;
    expect(() => validate(K8S.hpa, hpa)).toThrow();
  });
});

describe("PolarisServer pods under the restricted Pod Security Standard", () => {
  const pods = () => [
    ["local server", inputsOf(recorder, K8S.deployment, "local-server").spec.template.spec],
    ["prod server", inputsOf(recorder, K8S.deployment, "prod-server").spec.template.spec],
    ["prod bootstrap job", inputsOf(recorder, K8S.job, "prod-bootstrap").spec.template.spec],
  ];

  it("sets each restricted field on every pod and container", () => {
    for (const [label, pod] of pods()) {
      expect(pod.securityContext.runAsNonRoot, `${label} runAsNonRoot`).toBe(true);
      expect(pod.securityContext.runAsUser, `${label} runAsUser`).toBeGreaterThan(0);
      expect(pod.securityContext.seccompProfile, `${label} seccomp`).toEqual({ type: "RuntimeDefault" });
      expect(pod.automountServiceAccountToken, `${label} token`).toBe(false);
      for (const container of pod.containers) {
        const context = container.securityContext;
        expect(context.allowPrivilegeEscalation, `${label} allowPrivilegeEscalation`).toBe(false);
        expect(context.capabilities, `${label} capabilities`).toEqual({ drop: ["ALL"] });
        expect(context.readOnlyRootFilesystem, `${label} readOnlyRootFilesystem`).toBe(true);
        expect(context.runAsNonRoot, `${label} container runAsNonRoot`).toBe(true);
        expect(context.seccompProfile, `${label} container seccomp`).toEqual({ type: "RuntimeDefault" });
        expect(container.volumeMounts, `${label} /tmp`).toContainEqual({ name: "tmp", mountPath: "/tmp" });
      }
      expect(pod.volumes, `${label} /tmp volume`).toContainEqual({
        name: "tmp",
        emptyDir: { sizeLimit: "256Mi" },
      });
    }
  });

  it("passes every check the admission controller applies", () => {
    for (const [label, pod] of pods()) expect(restrictedViolations(pod), label).toEqual([]);
  });

  it("would report a pod that breaks the standard (the check can fail)", () => {
    const pod = structuredClone(inputsOf(recorder, K8S.deployment, "prod-server").spec.template.spec);
    pod.hostNetwork = true;
    pod.volumes.push({ name: "host", hostPath: { path: "/var/run" } });
    const container = pod.containers[0];
    container.securityContext = { capabilities: { add: ["SYS_ADMIN"] }, runAsUser: 0 };
    delete pod.securityContext.seccompProfile;
    delete pod.securityContext.runAsNonRoot;
    expect(restrictedViolations(pod)).toEqual([
      "pod: hostNetwork is true",
      "volume host: type hostPath not allowed",
      "container polaris: allowPrivilegeEscalation is not false",
      "container polaris: capabilities do not drop ALL",
      "container polaris: adds capability SYS_ADMIN",
      "container polaris: runAsNonRoot is not true",
      "container polaris: runAsUser is 0",
      "container polaris: seccompProfile is unset",
    ]);
  });
});

describe("PolarisServer behind a load balancer", () => {
  it("exposes only the API port on the LoadBalancer Service and admits the load balancer's range", () => {
    const loadBalancer = inputsOf(recorder, K8S.service, "lb-load-balancer");
    expect(loadBalancer.spec.type).toBe("LoadBalancer");
    expect(loadBalancer.spec.ports).toEqual([
      { name: "api", port: 8181, targetPort: "api", protocol: "TCP" },
    ]);
    expect(loadBalancer.spec.loadBalancerSourceRanges).toEqual(["203.0.113.0/24"]);
    const policy = inputsOf(recorder, K8S.networkPolicy, "lb-network-policy");
    expect(policy.spec.ingress).toEqual([
      { ports: [{ protocol: "TCP", port: 8181 }], from: [{ ipBlock: { cidr: "203.0.113.0/24" } }] },
    ]);
  });
});
