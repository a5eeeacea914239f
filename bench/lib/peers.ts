/**
 * The three peers on one fresh sandbox each: the REST floor, the official `polaris setup apply`, and our
 * `pulumi up` with the rest of its lifecycle. Every step goes through the counting proxy.
 */
import { join } from "node:path";
import { type Measurement, measureCommand, measureInProcess, type Target } from "./measure";
import type { PulumiProject } from "./pulumi-project";
import { runFloor } from "./rest-floor";
import type { Sandbox } from "./sandbox";
import type { Workload } from "./workload";

export function floorPeer(target: Target, sandbox: Sandbox, workload: Workload, concurrency: number) {
  const { endpoints } = sandbox;
  return measureInProcess(target, () =>
    runFloor(
      {
        uri: target.proxy.uri,
        realm: endpoints.POLARIS_REALM!,
        clientId: endpoints.POLARIS_CLIENT_ID!,
        clientSecret: endpoints.POLARIS_CLIENT_SECRET!,
      },
      workload,
      concurrency,
    ),
  );
}

export interface SetupApplyResult {
  apply: Measurement;
  /** The same file applied again: what the CLI sends when nothing is to be done. */
  rerun: Measurement;
}

/** `polaris setup apply` from the sandbox venv, twice; the credentials reach it through its environment. */
export async function setupApplyPeer(
  target: Target,
  sandbox: Sandbox,
  setupFile: string,
): Promise<SetupApplyResult> {
  const { endpoints } = sandbox;
  const env = {
    ...process.env,
    CLIENT_ID: endpoints.POLARIS_CLIENT_ID!,
    CLIENT_SECRET: endpoints.POLARIS_CLIENT_SECRET!,
    REALM: endpoints.POLARIS_REALM!,
  };
  const polaris = join(endpoints.SANDBOX_VENV!, "bin", "polaris");
  const args = ["--base-url", target.proxy.uri, "setup", "apply", setupFile];
  const strip = ({
    stdout: _stdout,
    stderr: _stderr,
    ...measurement
  }: Measurement & { stdout: string; stderr: string }) => measurement;
  const apply = strip(await measureCommand(target, polaris, args, { env }));
  const rerun = strip(await measureCommand(target, polaris, args, { env }));
  return { apply, rerun };
}

export const PULUMI_STEPS = ["up", "preview", "refresh", "noopUp", "destroy"] as const;
export type PulumiStep = (typeof PULUMI_STEPS)[number];

export interface PulumiResult {
  steps: Record<PulumiStep, Measurement>;
  resources: number;
  /** Size of the serialized dynamic provider (`__provider`) per resource, from `pulumi stack export`. */
  providerBytes: { min: number; max: number; mean: number };
}

const STEP_ARGS: Record<PulumiStep, string[]> = {
  up: ["up", "--yes", "--skip-preview"],
  preview: ["preview", "--expect-no-changes"],
  refresh: ["refresh", "--yes", "--skip-preview", "--expect-no-changes"],
  noopUp: ["up", "--yes", "--skip-preview", "--expect-no-changes"],
  destroy: ["destroy", "--yes", "--skip-preview"],
};

/**
 * up from empty, a no-op preview, refresh, a no-op up, destroy; `parallel` is passed when given, `env` is
 * added to the project's environment.
 */
export async function pulumiPeer(
  target: Target,
  project: PulumiProject,
  env: Record<string, string>,
  parallel?: number,
): Promise<PulumiResult> {
  const steps = {} as Record<PulumiStep, Measurement>;
  let state: Awaited<ReturnType<PulumiProject["exportState"]>> | undefined;
  for (const step of PULUMI_STEPS) {
    const args = [...STEP_ARGS[step], ...(parallel ? ["--parallel", String(parallel)] : [])];
    const {
      stdout: _stdout,
      stderr: _stderr,
      ...measurement
    } = await measureCommand(target, "pulumi", project.cli(args), { env: { ...project.env, ...env } });
    steps[step] = measurement;
    if (step === "up") state = await project.exportState();
  }
  const sizes = (state?.deployment.resources ?? [])
    .map((resource) => resource.inputs?.__provider)
    .filter((provider): provider is string => typeof provider === "string")
    .map((provider) => Buffer.byteLength(provider));
  return {
    steps,
    resources: sizes.length,
    providerBytes: {
      min: Math.min(...sizes),
      max: Math.max(...sizes),
      mean: Math.round(sizes.reduce((sum, size) => sum + size, 0) / Math.max(1, sizes.length)),
    },
  };
}
