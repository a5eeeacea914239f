import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Json } from "../../../support/mocks";
import { mapSecrets, withKubernetesAutoName } from "../../../support/mocks";
import { settled } from "../../aws/support/settle";

export type { Json };

const repoRoot = join(__dirname, "..", "..", "..", "..");

/**
 * The stack config of Pulumi.<stack>.yaml as the CLI hands it to the program: keys as written, object
 * values as JSON text, scalars as strings. Parsed with js-yaml, which @pulumi/pulumi itself depends on.
 */
export function stackConfig(stack: "local" | "prod" | "sandbox"): Record<string, string> {
  const { load } = createRequire(__filename)("js-yaml") as { load(text: string): unknown };
  const file = load(readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(file.config).map(([key, value]) => [
      key,
      typeof value === "object" ? JSON.stringify(value) : String(value),
    ]),
  );
}

/** One resource registration as the engine receives it: the options the mocks' newResource never sees. */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** The parent's URN; "" for a top-level resource. */
  parent: string;
  protect: boolean | undefined;
  provider: string;
  additionalSecretOutputs: string[];
  /** Inputs with secret values revealed. */
  inputs: Json;
  /** Inputs with every secret value replaced by "[secret]". */
  redactedInputs: Json;
}

/** Client ids and secrets the mocked Polaris hands out for principals. */
export const principalSecret = (name: string) => `${name}-client-secret-value`;
export const principalClientId = (name: string) => `${name}-client-id-value`;

/** What the mocked engine answers: inputs echoed, plus ids, ARNs, random results and principal credentials. */
function mockState(type: string, name: string, inputs: Json): Record<string, unknown> {
  const state: Record<string, unknown> = withKubernetesAutoName(type, name, inputs);
  if (type.startsWith("aws:")) {
    const service = type.split(":")[1]?.split("/")[0] ?? "svc";
    state.arn ??=
      service === "iam"
        ? `arn:aws:iam::123456789012:role${inputs.path ?? "/"}${inputs.name ?? name}`
        : `arn:aws:${service}:eu-west-1:123456789012:${inputs.name ?? name}`;
  }
  if (type.startsWith("random:")) state.result ??= `mock-${name}-random`;
  if (type === "pulumi-nodejs:dynamic/polaris:Principal") {
    state.clientId = principalClientId(name);
    state.clientSecret = principalSecret(name);
  }
  if (type === "pulumi-nodejs:dynamic/polaris:Namespace") state.path = (inputs.levels as string[]).join(".");
  return state;
}

interface MonitorRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  hasProtect(): boolean;
  getProtect(): boolean;
  getProvider(): string;
  getAdditionalsecretoutputsList(): string[];
  getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
}
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): Parameters<typeof pulumi.runtime.deserializeProperties>[0] | undefined;
}
type Callback = (error: unknown, response: { getUrn(): string } | undefined) => void;
interface Monitor {
  registerResource(request: MonitorRequest, callback: Callback): void;
  registerResourceOutputs(
    request: OutputsRequest,
    callback: (error: unknown, response: unknown) => void,
  ): void;
}

/**
 * Installs `setMocks` and wraps the mock monitor so that every registration is recorded with its parent,
 * protect flag, provider and secret outputs, and every component's registered outputs are kept.
 */
export async function recordEngine(stack: string) {
  const registrations: Registration[] = [];
  /** Component outputs (registerOutputs), secrets still marked, by URN. */
  const componentOutputs = new Map<string, Json>();
  let requested = 0;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({
        id: String(args.inputs.name ?? args.inputs.bucket ?? `${args.name}-id`),
        state: mockState(args.type, args.name, mapSecrets(args.inputs, (secret) => secret) as Json),
      }),
      call(args) {
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
          return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/ci", userId: "ci" };
        }
        if (args.token === "aws:index/getPartition:getPartition")
          return { partition: "aws", dnsSuffix: "amazonaws.com" };
        if (args.token === "aws:index/getRegion:getRegion") return { name: "eu-west-1", region: "eu-west-1" };
        return args.inputs;
      },
    },
    "polaris-platform",
    stack,
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    requested += 1;
    const raw = pulumi.runtime.deserializeProperties(request.getObject());
    const recorded = {
      type: request.getType(),
      name: request.getName(),
      custom: request.getCustom(),
      parent: request.getParent(),
      protect: request.hasProtect() ? request.getProtect() : undefined,
      provider: request.getProvider(),
      additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
      inputs: mapSecrets(raw, (secret) => secret),
      redactedInputs: mapSecrets(raw, () => "[secret]"),
    };
    registerResource(request, (error, response) => {
      if (response) registrations.push({ urn: response.getUrn(), ...recorded });
      callback(error, response);
    });
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (request, callback) => {
    const outputs = request.getOutputs();
    if (outputs) componentOutputs.set(request.getUrn(), pulumi.runtime.deserializeProperties(outputs));
    registerOutputs(request, callback);
  };

  const engine = {
    registrations,
    componentOutputs,
    /** Registrations requested so far, including any still in flight. */
    requested: () => requested,
    ofType: (type: string) => registrations.filter((r) => r.type === type),
    one(type: string, name: string): Registration {
      const matches = registrations.filter((r) => r.type === type && r.name === name);
      if (matches.length !== 1) throw new Error(`expected one ${type} ${name}, found ${matches.length}`);
      return matches[0]!;
    },
    /** The type of a registration's parent, or "" at the top. */
    parentType(registration: Registration): string {
      return registrations.find((r) => r.urn === registration.parent)?.type ?? "";
    },
    /** Component outputs with secrets replaced by "[secret]", for leak checks. */
    redactedComponentOutputs: () =>
      [...componentOutputs.values()].map((o) => mapSecrets(o, () => "[secret]")),
    revealedComponentOutputs: () => [...componentOutputs.values()].map((o) => mapSecrets(o, (s) => s)),
  };
  return engine;
}

export type Engine = Awaited<ReturnType<typeof recordEngine>>;

/** The program's stack outputs, as `pulumi up` would export them. */
export type ProgramOutputs = Record<
  "catalogUri" | "warehouseName" | "namespaces" | "credentials" | "engines" | "floeCatalogs",
  pulumi.Output<unknown>
>;

/**
 * Runs the real program (stacks/index.ts) against the mocked engine with the given stack config, and waits
 * until everything it started is registered.
 */
export async function runProgram(engine: Engine, config: Record<string, string>, secretKeys: string[] = []) {
  pulumi.runtime.setAllConfig(config, secretKeys);
  const program = (await import("../../../../stacks/index")) as unknown as ProgramOutputs;
  await Promise.all(Object.values(program).map((output) => resolved(output)));
  await settled(() => engine.registrations.length + engine.componentOutputs.size, 10);
  return program;
}

export function resolved<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}
