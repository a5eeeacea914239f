import type { KubeClient, KubeObject } from "../../support/kube-apiserver";
import { describeObject, podOf } from "./objects";

/** The Pod Security labels PolarisServer's `createNamespace` puts on its namespace. */
export const RESTRICTED_NAMESPACE_LABELS = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/warn-version": "latest",
} as const;

/** What the server said about one object sent with `dryRun=All`. */
export interface Verdict {
  object: string;
  status: number;
  warnings: string[];
  /** The refusal's message; "" when accepted. */
  message: string;
}

async function judge(client: KubeClient, object: KubeObject): Promise<Verdict> {
  const response = await client.create(object, { dryRun: true });
  return {
    object: describeObject(object),
    status: response.status,
    warnings: response.warnings,
    message: response.status === 201 ? "" : String(response.body?.message ?? JSON.stringify(response.body)),
  };
}

/**
 * Makes a namespace exist for real, as an existing cluster would have it: labelled like PolarisServer's own
 * unless it is there already, and with the `default` ServiceAccount that the controller manager (not run
 * here) would create, because the ServiceAccount admission plugin refuses pods without it.
 */
export async function prepareNamespace(
  client: KubeClient,
  name: string,
  labels: Record<string, string> = RESTRICTED_NAMESPACE_LABELS,
): Promise<void> {
  const existing = await client.request("GET", `/api/v1/namespaces/${name}`);
  if (existing.status === 404) {
    await client.mustCreate({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
  }
  const account = await client.request("GET", `/api/v1/namespaces/${name}/serviceaccounts/default`);
  if (account.status === 404) {
    await client.mustCreate({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace: name },
    });
  }
}

/**
 * Sends every object with `dryRun=All`, in the order a deployment would create them, then a Pod made from each
 * workload's template. Namespaces the objects render are judged and then created for real; a namespace they
 * only refer to is created as a prerequisite. ServiceAccounts are created for real once judged, because the
 * pods name them.
 */
export async function dryRunRendered(client: KubeClient, objects: KubeObject[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  const rendered = objects.filter((object) => object.kind === "Namespace");
  for (const namespace of rendered) {
    verdicts.push(await judge(client, namespace));
    await client.mustCreate(namespace);
    await prepareNamespace(client, namespace.metadata.name!);
  }
  const referred = new Set(
    objects.map((object) => object.metadata.namespace).filter((ns) => ns !== undefined),
  );
  for (const namespace of referred) await prepareNamespace(client, namespace);

  const others = objects.filter((object) => object.kind !== "Namespace");
  for (const object of others) {
    verdicts.push(await judge(client, object));
    if (object.kind === "ServiceAccount") await client.mustCreate(object);
  }
  for (const pod of others.map(podOf).filter((pod) => pod !== undefined)) {
    verdicts.push(await judge(client, pod));
  }
  return verdicts;
}

/** The verdicts that are not a clean acceptance: refused, or accepted with a warning. */
export const notClean = (verdicts: Verdict[]) =>
  verdicts.filter((verdict) => verdict.status !== 201 || verdict.warnings.length > 0);
