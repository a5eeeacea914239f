import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PulumiWorkspace } from "./pulumi-cli";
import { readEndpoints, repoRoot, runDir } from "./sandbox";

const execFileAsync = promisify(execFile);

export interface PlatformStackOptions {
  /** The sandbox instance whose Polaris and moto the stack manages; it must be running. */
  instance: string;
  /** The stack's name in its throwaway backend. */
  stack: string;
  /**
   * Where the providers send their requests instead of the instance's own Polaris, e.g. a fault proxy in
   * front of it (polaris.uri in the stack config).
   */
  polarisUri?: string;
}

/**
 * The repository's own program (stacks/index.ts) with the sandbox stack's configuration, as ./scripts/up
 * runs it, but in a throwaway project folder and backend: a test never writes into the repository's
 * Pulumi.<stack>.yaml files or the user's state. Prepares the instance's warehouse bucket and vending role
 * the way ./scripts/up does.
 */
export async function platformStack(options: PlatformStackOptions): Promise<PulumiWorkspace> {
  await prepareWarehouse(options.instance);
  const projectDir = await mkdtemp(join(tmpdir(), "polaris-platform-project-"));
  await writeFile(
    join(projectDir, "Pulumi.yaml"),
    [
      "name: polaris-platform",
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: true",
      `main: ${join(repoRoot, "stacks", "index.ts")}`,
      "",
    ].join("\n"),
  );
  // The sandbox stack's settings, minus its encryption salt: the throwaway stack has a passphrase of its own.
  const sandboxConfig = (await readFile(join(repoRoot, "Pulumi.sandbox.yaml"), "utf8"))
    .split("\n")
    .filter((line) => !line.startsWith("encryptionsalt:"))
    .join("\n")
    .replace("sandboxInstance: default", `sandboxInstance: ${options.instance}`);
  await writeFile(join(projectDir, `Pulumi.${options.stack}.yaml`), sandboxConfig);
  const workspace = await PulumiWorkspace.create(projectDir, options.stack, {
    SANDBOX_INSTANCE: options.instance,
  });
  if (options.polarisUri) {
    await workspace.mustRun(["config", "set", "--path", "polaris-platform:polaris.uri", options.polarisUri]);
  }
  const dispose = workspace.dispose.bind(workspace);
  workspace.dispose = async () => {
    await dispose();
    await rm(projectDir, { recursive: true, force: true });
  };
  return workspace;
}

/** The warehouse bucket and vending role on the instance's moto, written to its warehouse.env. */
async function prepareWarehouse(instance: string) {
  const endpoints = readEndpoints(instance);
  const { stdout } = await execFileAsync(
    join(endpoints.SANDBOX_VENV!, "bin", "python"),
    [join(repoRoot, "scripts", "lib", "sandbox_warehouse.py"), "warehouse", "polaris-vending"],
    { env: { ...process.env, ...endpoints }, timeout: 60_000 },
  );
  await writeFile(join(runDir(instance), "warehouse.env"), stdout);
}
