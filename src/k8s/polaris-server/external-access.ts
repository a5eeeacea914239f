import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PolarisHttpRouteArgs, PolarisIngressArgs, PolarisLoadBalancerArgs } from "./args";
import { PORT_NAMES } from "./containers";
import { API_PORT } from "./settings";

export interface ExternalAccessContext {
  namespace: pulumi.Output<string>;
  labels: Record<string, string>;
  selectorLabels: Record<string, string>;
  /** The in-cluster Service an Ingress routes to. */
  service: k8s.core.v1.Service;
  parent: pulumi.Resource;
}

export interface ExternalAccess {
  /** What must exist before clients outside the cluster can connect. */
  resources: pulumi.CustomResource[];
  /** Base URL outside the cluster, or undefined when nothing gives one. */
  base: pulumi.Output<string | undefined>;
}

/** An HTTPRoute's settings with their defaults applied (see resolvePolarisSettings). */
export type ResolvedHttpRoute = PolarisHttpRouteArgs & {
  hostnames: readonly string[];
  scheme: "http" | "https";
};

/**
 * How clients outside the cluster (including `pulumi up` itself) reach the API: an Ingress, a
 * LoadBalancer Service, a Gateway API HTTPRoute, or nothing. Only the API port is exposed; health and
 * metrics stay inside.
 */
export function createExternalAccess(
  name: string,
  args: {
    ingress?: PolarisIngressArgs;
    loadBalancer?: PolarisLoadBalancerArgs;
    httpRoute?: ResolvedHttpRoute;
  },
  context: ExternalAccessContext,
): ExternalAccess {
  if (args.ingress !== undefined) return createIngress(name, args.ingress, context);
  if (args.loadBalancer !== undefined) return createLoadBalancer(name, args.loadBalancer, context);
  if (args.httpRoute !== undefined) return createHttpRoute(name, args.httpRoute, context);
  return { resources: [], base: pulumi.output(undefined) };
}

function createHttpRoute(
  name: string,
  route: ResolvedHttpRoute,
  context: ExternalAccessContext,
): ExternalAccess {
  const { gatewayName, gatewayNamespace, sectionName, hostnames, scheme, annotations } = route;
  const httpRoute = new k8s.apiextensions.CustomResource(
    `${name}-http-route`,
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: {
        name,
        namespace: context.namespace,
        labels: context.labels,
        ...(annotations === undefined ? {} : { annotations }),
      },
      spec: {
        parentRefs: [
          {
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            name: gatewayName,
            ...(gatewayNamespace === undefined ? {} : { namespace: gatewayNamespace }),
            ...(sectionName === undefined ? {} : { sectionName }),
          },
        ],
        ...(hostnames.length === 0 ? {} : { hostnames }),
        rules: [
          {
            matches: [{ path: { type: "PathPrefix", value: "/" } }],
            backendRefs: [{ name: context.service.metadata.name, port: API_PORT }],
          },
        ],
      },
    },
    { parent: context.parent },
  );
  const host = hostnames[0];
  // A wildcard host names no one address that `pulumi up` could call.
  const base: pulumi.Output<string | undefined> = pulumi.output(
    host === undefined || host.startsWith("*.") ? undefined : `${scheme}://${host}`,
  );
  return { resources: [httpRoute], base };
}

function createIngress(name: string, ingressArgs: PolarisIngressArgs, context: ExternalAccessContext) {
  const { host, tlsSecretName, className, annotations } = ingressArgs;
  const ingress = new k8s.networking.v1.Ingress(
    `${name}-ingress`,
    {
      metadata: {
        name,
        namespace: context.namespace,
        labels: context.labels,
        ...(annotations === undefined ? {} : { annotations }),
      },
      spec: {
        ...(className === undefined ? {} : { ingressClassName: className }),
        ...(tlsSecretName === undefined || host === undefined
          ? {}
          : { tls: [{ hosts: [host], secretName: tlsSecretName }] }),
        rules: [
          {
            ...(host === undefined ? {} : { host }),
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: {
                    service: { name: context.service.metadata.name, port: { name: PORT_NAMES.api } },
                  },
                },
              ],
            },
          },
        ],
      },
    },
    { parent: context.parent },
  );
  const scheme = tlsSecretName === undefined ? "http" : "https";
  const base: pulumi.Output<string | undefined> =
    host === undefined ? pulumi.output(undefined) : pulumi.interpolate`${scheme}://${host}`;
  return { resources: [ingress], base };
}

function createLoadBalancer(
  name: string,
  loadBalancerArgs: PolarisLoadBalancerArgs,
  context: ExternalAccessContext,
): ExternalAccess {
  const { annotations, sourceRanges } = loadBalancerArgs;
  const loadBalancer = new k8s.core.v1.Service(
    `${name}-load-balancer`,
    {
      metadata: {
        name: `${name}-api`,
        namespace: context.namespace,
        labels: context.labels,
        ...(annotations === undefined ? {} : { annotations }),
      },
      spec: {
        type: "LoadBalancer",
        selector: context.selectorLabels,
        ports: [{ name: PORT_NAMES.api, port: API_PORT, targetPort: PORT_NAMES.api, protocol: "TCP" }],
        ...(sourceRanges === undefined ? {} : { loadBalancerSourceRanges: sourceRanges }),
      },
    },
    { parent: context.parent },
  );
  // The cloud fills in the address once the balancer exists; AWS reports a host name, others an IP.
  const base = loadBalancer.status.apply((status) => {
    const address = status?.loadBalancer?.ingress?.[0];
    const host = address?.hostname ?? address?.ip;
    return host === undefined ? undefined : `http://${host}:${API_PORT}`;
  });
  return { resources: [loadBalancer], base };
}
