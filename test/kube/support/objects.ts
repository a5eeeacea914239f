import type { KubeObject } from "../../support/kube-apiserver";
import { kubernetesAutoName } from "../../support/mocks";

/** A resource as the mock recorders saw it: its Pulumi type and name, and its inputs (secrets revealed). */
export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

// Kinds the kubernetes provider registers as `kubernetes:<group>/<version>:<Kind>`; the core group is "core".
const KUBERNETES_TYPE = /^kubernetes:(?:(core)\/)?([^:]+):([A-Za-z]+)$/;

/** Whether a registration is a Kubernetes object (not the provider, not a component). */
export const isKubernetesObject = (resource: RecordedResource) => KUBERNETES_TYPE.test(resource.type);

/**
 * The object the kubernetes provider would send for a registration: its inputs (which carry apiVersion and
 * kind), with the auto-name the provider gives an object without `metadata.name`, the same name the mocks
 * hand to the objects that refer to it.
 */
export function manifestOf(resource: RecordedResource): KubeObject {
  const match = KUBERNETES_TYPE.exec(resource.type);
  if (match === null) throw new Error(`${resource.type} ${resource.name} is not a Kubernetes object`);
  const [, , apiVersion, kind] = match;
  const inputs = structuredClone(resource.inputs) as Partial<KubeObject>;
  if (inputs.apiVersion !== apiVersion || inputs.kind !== kind) {
    throw new Error(
      `${resource.type} ${resource.name} carries apiVersion ${inputs.apiVersion}, kind ${inputs.kind}`,
    );
  }
  const metadata = { ...(inputs.metadata ?? {}) };
  metadata.name ??= kubernetesAutoName(resource.name);
  return { ...inputs, apiVersion: apiVersion!, kind: kind!, metadata } as KubeObject;
}

const WORKLOAD_TEMPLATES: Record<string, (object: KubeObject) => KubeObject["spec"] | undefined> = {
  Deployment: (object) => (object.spec as Record<string, unknown>).template,
  StatefulSet: (object) => (object.spec as Record<string, unknown>).template,
  DaemonSet: (object) => (object.spec as Record<string, unknown>).template,
  Job: (object) => (object.spec as Record<string, unknown>).template,
  CronJob: (object) =>
    (
      (object.spec as { jobTemplate: { spec: Record<string, unknown> } }).jobTemplate.spec as Record<
        string,
        unknown
      >
    ).template,
};

/**
 * The Pod a workload's controller would create from its template. PodSecurity enforces only on Pods, so
 * each template is sent as a Pod of its own to be judged.
 */
export function podOf(workload: KubeObject): KubeObject | undefined {
  const templateOf = WORKLOAD_TEMPLATES[workload.kind];
  if (templateOf === undefined) return undefined;
  const template = templateOf(workload) as { metadata?: Record<string, unknown>; spec: unknown };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...(template.metadata ?? {}),
      name: `${workload.metadata.name}-pod`,
      namespace: workload.metadata.namespace,
    },
    spec: template.spec,
  };
}

/** "Kind namespace/name", for messages. */
export function describeObject(object: KubeObject): string {
  const namespace = object.metadata.namespace === undefined ? "" : `${object.metadata.namespace}/`;
  return `${object.kind} ${namespace}${object.metadata.name}`;
}
