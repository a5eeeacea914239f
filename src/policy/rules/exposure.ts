import type { Rule } from "../rule";
import { at, isPolarisObject, TYPES } from "../subject";

/** Settings of the `polaris-exposure` rule. */
export interface ExposureConfig {
  /** The `app.kubernetes.io/name` label of Polaris' objects. @default "polaris" */
  appName: string;
}

/**
 * Polaris hands out storage credentials to whoever holds a token: its API should not face the internet
 * in the clear, nor through a load balancer open to every address.
 */
export const exposure: Rule<ExposureConfig> = {
  name: "polaris-exposure",
  description:
    "Polaris is exposed only through a LoadBalancer with loadBalancerSourceRanges, or an Ingress with TLS.",
  scope: "resource",
  configSchema: {
    properties: {
      appName: {
        type: "string",
        default: "polaris",
        description: "The app.kubernetes.io/name label that marks Polaris' Kubernetes objects.",
      },
    },
  },
  check(subject, config) {
    if (!isPolarisObject(subject, config.appName)) return [];
    if (subject.type === TYPES.service && at(subject.props, "spec", "type") === "LoadBalancer") {
      const ranges = at(subject.props, "spec", "loadBalancerSourceRanges");
      if (Array.isArray(ranges) && ranges.length > 0) return [];
      return [
        {
          urn: subject.urn,
          message:
            `${subject.name}: a LoadBalancer Service exposes Polaris to every address. Set ` +
            "loadBalancer.sourceRanges on PolarisServer (spec.loadBalancerSourceRanges) to the networks of its clients.",
        },
      ];
    }
    if (subject.type === TYPES.ingress) {
      const tls = at(subject.props, "spec", "tls");
      if (Array.isArray(tls) && tls.length > 0) return [];
      return [
        {
          urn: subject.urn,
          message:
            `${subject.name}: an Ingress without TLS sends Polaris tokens and vended credentials in the clear. ` +
            "Set ingress.host and ingress.tlsSecretName on PolarisServer (spec.tls).",
        },
      ];
    }
    return [];
  },
};
