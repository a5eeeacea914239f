import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { instanceArgs, runDir, sandbox, sharedInstance } from "./sandbox";

/** The Polaris server's resident and peak memory, from /proc, for the performance budget. */
function polarisMemory(): string | undefined {
  try {
    const pid = readFileSync(join(runDir(), "polaris.pid"), "utf8").trim();
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const mib = (field: string) =>
      Math.round(Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))![1]) / 1024);
    return `Polaris RSS after the integration tests: ${mib("VmRSS")} MiB (peak ${mib("VmHWM")} MiB)`;
  } catch {
    return undefined;
  }
}

/**
 * Starts the shared sandbox instance for the integration tests, or reuses one that is already running
 * (a developer's `./scripts/sandbox start`). Only a sandbox started here is stopped here.
 */
export default async function setup() {
  const status = await sandbox(["status", ...instanceArgs()]);
  const reused = status.code === 0 && existsSync(join(runDir(), "endpoints.env"));
  if (!reused) {
    const started = await sandbox(["start", ...instanceArgs()]);
    if (started.code !== 0) {
      throw new Error(`could not start the sandbox instance "${sharedInstance}":\n${started.stderr}`);
    }
  }
  return async () => {
    const memory = polarisMemory();
    if (memory) process.stderr.write(`${memory}\n`);
    if (!reused) await sandbox(["stop", ...instanceArgs()]);
  };
}
