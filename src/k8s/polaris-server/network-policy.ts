import type * as k8s from "@pulumi/kubernetes";

type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type NetworkPolicyIngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;

/**
 * Who may open connections to a Polaris port. Give `namespaces` and/or `podLabels` (both: pods with those
 * labels in those namespaces), or `cidr` alone.
 */
export interface PolarisNetworkPeer {
  /** Names of the namespaces whose pods may connect. @default the namespace Polaris runs in */
  readonly namespaces?: readonly string[];
  /** Only pods carrying these labels may connect. @default every pod of `namespaces` */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** An IP range that may connect, such as a load balancer's subnet. Not combinable with the fields above. */
  readonly cidr?: string;
}

/** Sources allowed to reach the API port: everyone, or a list of peers. */
export type ApiClients = "all" | readonly PolarisNetworkPeer[];

// Every namespace carries this label (set by the API server since Kubernetes 1.22), so names can be
// selected without asking users to label their namespaces.
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Why a peer cannot become a NetworkPolicy peer, or undefined when it can. */
export function peerProblem(peer: PolarisNetworkPeer): string | undefined {
  const selects = peer.namespaces !== undefined || peer.podLabels !== undefined;
  if (peer.cidr !== undefined && selects) return "cidr cannot be combined with namespaces or podLabels";
  if (peer.cidr === undefined && !selects) return "give namespaces, podLabels or cidr";
  if (peer.namespaces?.length === 0)
    return "namespaces is empty; leave it out to mean Polaris' own namespace";
  return undefined;
}

function toPeer(peer: PolarisNetworkPeer): NetworkPolicyPeer {
  if (peer.cidr !== undefined) return { ipBlock: { cidr: peer.cidr } };
  return {
    ...(peer.namespaces === undefined
      ? {}
      : {
          namespaceSelector: {
            matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: [...peer.namespaces] }],
          },
        }),
    ...(peer.podLabels === undefined ? {} : { podSelector: { matchLabels: { ...peer.podLabels } } }),
  };
}

/**
 * Ingress rules: the API port for `apiClients`; the management port (health, metrics) only for
 * `managementClients`. Kubelet probes come from the node itself, which the common CNIs (Calico, Cilium,
 * the AWS VPC CNI) let through regardless of policy, so probes work with no rule for them.
 */
export function polarisIngressRules(
  ports: { api: number; management: number },
  apiClients: ApiClients,
  managementClients: readonly PolarisNetworkPeer[],
): NetworkPolicyIngressRule[] {
  const apiRule: NetworkPolicyIngressRule = {
    ports: [{ protocol: "TCP", port: ports.api }],
    // A rule without `from` admits every source.
    ...(apiClients === "all" ? {} : { from: apiClients.map(toPeer) }),
  };
  if (managementClients.length === 0) return [apiRule];
  return [
    apiRule,
    { ports: [{ protocol: "TCP", port: ports.management }], from: managementClients.map(toPeer) },
  ];
}
