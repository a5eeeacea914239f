import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** One resource that a program under test registered with the mocked engine. */
export interface RegisteredResource {
  type: string;
  name: string;
  /** Inputs with secret values revealed, for assertions and schema validation. */
  inputs: Record<string, unknown>;
  /** Inputs with every secret value replaced by "[secret]": what must not leak is checked here. */
  redactedInputs: Record<string, unknown>;
  provider?: string;
}

/**
 * Installs `pulumi.runtime.setMocks` and records every registered resource, so a unit test can assert on
 * the resource graph a component builds without the aws/kubernetes/random provider plugins.
 *
 * Call it (and await it) before constructing the component. Outputs echo the inputs plus an id, a
 * deterministic ARN for AWS resources, and a `result` for random resources.
 */
export async function recordResources(opts: { stack?: string; project?: string } = {}) {
  const registered: RegisteredResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.push({
          type: args.type,
          name: args.name,
          inputs: mapSecrets(args.inputs, (secret) => secret) as Record<string, unknown>,
          redactedInputs: mapSecrets(args.inputs, () => "[secret]") as Record<string, unknown>,
          provider: args.provider,
        });
        const id = args.inputs.name ?? args.inputs.bucket ?? `${args.name}-id`;
        const state: Record<string, unknown> = withKubernetesAutoName(args.type, args.name, args.inputs);
        if (args.type.startsWith("aws:")) {
          const service = args.type.split(":")[1]?.split("/")[0] ?? "svc";
          state.arn ??=
            service === "iam"
              ? `arn:aws:iam::123456789012:${args.type.endsWith("Role") ? "role" : "policy"}${args.inputs.path ?? "/"}${args.inputs.name ?? args.name}`
              : `arn:aws:${service}:::${id}`;
        }
        if (args.type.startsWith("random:")) state.result ??= `mock-${args.name}-random`;
        return { id: String(id), state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
          return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/test", userId: "test" };
        }
        if (args.token === "aws:index/getPartition:getPartition")
          return { partition: "aws", dnsSuffix: "amazonaws.com" };
        if (args.token === "aws:index/getRegion:getRegion") return { name: "eu-west-1", region: "eu-west-1" };
        return args.inputs;
      },
    },
    opts.project ?? "polaris-platform",
    opts.stack ?? "unit",
    false,
  );
  return {
    registered,
    ofType(type: string) {
      return registered.filter((r) => r.type === type);
    },
    one(type: string, name?: string) {
      const matches = registered.filter((r) => r.type === type && (name === undefined || r.name === name));
      if (matches.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}`);
      }
      return matches[0]!;
    },
  };
}

/**
 * The name the kubernetes provider gives an object whose `metadata.name` is unset: the resource name, a dash
 * and a suffix (random in the provider; derived from the name here, so runs repeat).
 */
export function kubernetesAutoName(resourceName: string): string {
  return `${resourceName}-${createHash("sha256").update(resourceName).digest("hex").slice(0, 8)}`;
}

/** A mocked Kubernetes object's state with the provider's auto-name filled in, as the real provider does. */
export function withKubernetesAutoName(
  type: string,
  resourceName: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const metadata = inputs.metadata as Record<string, unknown> | undefined;
  if (
    !type.startsWith("kubernetes:") ||
    type.startsWith("kubernetes:index:") ||
    metadata?.name !== undefined
  ) {
    return { ...inputs };
  }
  return { ...inputs, metadata: { ...metadata, name: kubernetesAutoName(resourceName) } };
}

// The engine marks a secret input value as { [SECRET_SIG]: SECRET_VALUE_SIG, value }; tests assert on and
// schema-validate the plain values.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export function mapSecrets(value: unknown, onSecret: (secret: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => mapSecrets(item, onSecret));
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (SECRET_SIG in record) return onSecret(mapSecrets(record.value, onSecret));
    return Object.fromEntries(
      Object.entries(record).map(([key, inner]) => [key, mapSecrets(inner, onSecret)]),
    );
  }
  return value;
}

/** The plain value of an Output, for assertions. */
export function outputValue<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}

/** Whether an Output is marked secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
  return pulumi.isSecret(output) as unknown as Promise<boolean>;
}

/** A child as a component constructed it, with the options it passed (the mocked engine does not see them). */
export interface ConstructedChild {
  type: string;
  name: string;
  resource: pulumi.Resource;
  opts: pulumi.ResourceOptions;
}

/**
 * Constructs a component with a transformation that records every child and its options (retainOnDelete,
 * dependsOn, ...), which the mocked engine never sees. Transformations are inherited by every child.
 */
export function constructCapturingChildren<T extends pulumi.Resource>(
  construct: (opts: pulumi.ComponentResourceOptions) => T,
): { component: T; children: ConstructedChild[] } {
  const constructed: ConstructedChild[] = [];
  const component = construct({
    transformations: [
      ({ type, name, resource, opts }) => {
        constructed.push({ type, name, resource, opts });
        return undefined;
      },
    ],
  });
  // A component's transformations also run for the component itself.
  const children = constructed.filter((child) => child.resource !== component);
  return { component, children };
}

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, navigated freely in assertions.
export type Json = any;
