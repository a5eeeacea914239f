/**
 * A throwaway Pulumi project and file backend for one measured stack: the repository's own program
 * (stacks/index.ts with the sandbox stack's config, as ./scripts/up runs it) or the generated scale
 * program. Nothing is written into the repository's Pulumi.<stack>.yaml files or the user's state.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./sandbox";

const run = promisify(execFile);

export interface PulumiProject {
  readonly dir: string;
  readonly stack: string;
  readonly env: NodeJS.ProcessEnv;
  /** The CLI arguments for `args` on this project and stack. */
  cli(args: string[]): string[];
  config(key: string, value: string, options?: { secret?: boolean; path?: boolean }): Promise<void>;
  /** `pulumi stack export`, parsed. */
  exportState(): Promise<{
    deployment: { resources?: { type: string; inputs?: Record<string, unknown> }[] };
  }>;
  dispose(): Promise<void>;
}

async function createProject(
  name: string,
  projectName: string,
  main: string,
  stackConfig: string,
  extraEnv: NodeJS.ProcessEnv,
) {
  const dir = await mkdtemp(join(tmpdir(), `polaris-bench-${name}-`));
  const backend = await mkdtemp(join(tmpdir(), "polaris-bench-backend-"));
  const stack = "bench";
  await writeFile(
    join(dir, "Pulumi.yaml"),
    [
      `name: ${projectName}`,
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: true",
      `main: ${main}`,
      "",
    ].join("\n"),
  );
  await writeFile(join(dir, `Pulumi.${stack}.yaml`), stackConfig);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...extraEnv,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: "polaris-bench-passphrase",
    NO_COLOR: "1",
  };
  const cli = (args: string[]) => {
    const full = [...args, "--non-interactive", "--cwd", dir];
    return args[0] === "stack" && args[1] === "init" ? full : [...full, "--stack", stack];
  };
  /** Runs the CLI; `input` goes to its standard input (how a secret value avoids the command line). */
  const pulumi = async (args: string[], input?: string) => {
    const running = run("pulumi", cli(args), { env, maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
    running.child.stdin?.end(input ?? "");
    return (await running).stdout;
  };
  const project: PulumiProject = {
    dir,
    stack,
    env,
    cli,
    async config(key, value, options = {}) {
      const flags = [...(options.path ? ["--path"] : []), ...(options.secret ? ["--secret"] : [])];
      await (options.secret
        ? pulumi(["config", "set", ...flags, key], value)
        : pulumi(["config", "set", ...flags, key, value]));
    },
    async exportState() {
      return JSON.parse(await pulumi(["stack", "export"]));
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
      await rm(backend, { recursive: true, force: true });
    },
  };
  try {
    await pulumi(["stack", "init", stack]);
  } catch (error) {
    await project.dispose();
    throw error;
  }
  return project;
}

/** The reference platform: stacks/index.ts on the sandbox `instance`, its providers sent to `polarisUri`. */
export async function referenceProject(instance: string, polarisUri: string): Promise<PulumiProject> {
  // The sandbox stack's settings, minus its encryption salt: the throwaway stack has a passphrase of its own.
  const config = (await readFile(join(repoRoot, "Pulumi.sandbox.yaml"), "utf8"))
    .split("\n")
    .filter((line) => !line.startsWith("encryptionsalt:"))
    .join("\n")
    .replace("sandboxInstance: default", `sandboxInstance: ${instance}`);
  // The project keeps its name: the platform's config keys are namespaced by it (polaris-platform:...).
  const project = await createProject(
    "reference",
    "polaris-platform",
    join(repoRoot, "stacks", "index.ts"),
    config,
    {
      SANDBOX_INSTANCE: instance,
    },
  );
  try {
    await project.config("polaris-platform:polaris.uri", polarisUri, { path: true });
  } catch (error) {
    await project.dispose();
    throw error;
  }
  return project;
}

/** The generated scale program over `workloadFile`, with grants in `shape`. */
export async function scaleProject(workloadFile: string, shape: "sets" | "grants"): Promise<PulumiProject> {
  const config = ["config:", `  bench:workload: ${workloadFile}`, `  bench:grantShape: ${shape}`, ""].join(
    "\n",
  );
  return createProject(
    `scale-${shape}`,
    "polaris-bench",
    join(repoRoot, "bench", "scale-program", "index.ts"),
    config,
    {},
  );
}

/** Points the scale program's providers at `polarisUri` with the sandbox's current root credentials. */
export async function connectScale(
  project: PulumiProject,
  polarisUri: string,
  endpoints: Record<string, string>,
): Promise<void> {
  await project.config("polaris:uri", polarisUri);
  await project.config("polaris:realm", endpoints.POLARIS_REALM!);
  await project.config("polaris:clientId", endpoints.POLARIS_CLIENT_ID!);
  await project.config("polaris:clientSecret", endpoints.POLARIS_CLIENT_SECRET!, { secret: true });
}
