/**
 * The benchmark's own sandbox instance. Its Polaris keeps everything in memory, so a restart is the
 * cleanest "fresh server": every measured run that starts from empty gets one.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { cpuSeconds } from "./process-tree";
import type { Warehouse } from "./workload";

const run = promisify(execFile);
/** The checkout; scripts/benchmark (through scripts/lib/env.sh) exports REPO_ROOT and runs from it. */
export const repoRoot = process.env.REPO_ROOT ?? process.cwd();

export interface Sandbox {
  instance: string;
  endpoints: Record<string, string>;
  warehouse: Warehouse;
  polarisPid: number;
}

function readKeyValues(file: string): Record<string, string> {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.includes("="));
  return Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

const runDir = (instance: string) => join(repoRoot, ".sandbox", instance);

async function sandboxScript(args: string[]) {
  await run(join(repoRoot, "scripts", "sandbox"), args, { timeout: 180_000 });
}

export async function stopSandbox(instance: string): Promise<void> {
  await sandboxScript(["stop", "--instance", instance]);
}

/** Stops the instance if it runs, starts it empty, and prepares its warehouse the way ./scripts/up does. */
export async function freshSandbox(instance: string): Promise<Sandbox> {
  await stopSandbox(instance);
  await sandboxScript(["start", "--instance", instance]);
  const endpoints = readKeyValues(join(runDir(instance), "endpoints.env"));
  const { stdout } = await run(
    join(endpoints.SANDBOX_VENV!, "bin", "python"),
    [join(repoRoot, "scripts", "lib", "sandbox_warehouse.py"), "warehouse", "polaris-vending"],
    { env: { ...process.env, ...endpoints }, timeout: 60_000 },
  );
  // stacks/index.ts reads the role from here, as after ./scripts/up.
  writeFileSync(join(runDir(instance), "warehouse.env"), stdout);
  const prepared = Object.fromEntries(
    stdout
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  const polarisPid = Number(readFileSync(join(runDir(instance), "polaris.pid"), "utf8").trim());
  await settled(polarisPid);
  return {
    instance,
    endpoints,
    warehouse: {
      bucket: prepared.WAREHOUSE_BUCKET!,
      roleArn: prepared.WAREHOUSE_ROLE_ARN!,
      s3Endpoint: endpoints.S3_ENDPOINT!,
      region: endpoints.AWS_REGION!,
    },
    polarisPid,
  };
}

/**
 * Waits (at most 20 s) until the freshly started JVM stops compiling in the background: below 5% of a core
 * over half a second. Otherwise the first peer after a start would share the machine with it, and its
 * Polaris CPU seconds would include the JVM's own warm-up.
 */
async function settled(pid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  let before = await cpuSeconds(pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await cpuSeconds(pid);
    if (now - before < 0.025) return;
    before = now;
  }
}
