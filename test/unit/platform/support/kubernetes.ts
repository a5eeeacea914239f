import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import { K8S } from "../../k8s/polaris-server-fixtures";
import type { Json } from "./program";

export { restrictedViolations } from "../../k8s/pod-security-standard";

export { K8S };

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

/** Validates a recorded Kubernetes object against the upstream schema of its kind; throws when invalid. */
export function validateObject(type: string, inputs: Json): void {
  const Model = MODELS[type];
  if (Model === undefined) throw new Error(`no schema model for ${type}`);
  (new Model({ ...inputs }) as { validate(): void }).validate();
}

/** The pod spec of a Deployment or Job. */
export const podOf = (inputs: Json): Json => inputs.spec.template.spec;

/** A container's environment by variable name. */
export const envOf = (container: Json): Record<string, Json> =>
  Object.fromEntries(((container.env ?? []) as Json[]).map((variable) => [variable.name, variable]));
