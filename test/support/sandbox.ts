import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
export const repoRoot = join(__dirname, "..", "..");
const sandboxScript = join(repoRoot, "scripts", "sandbox");

export type SandboxEndpoints = Record<string, string>;

/**
 * The sandbox instance the tests share: "default" (fixed ports, reused when a developer already runs it),
 * or another one on free ports when SANDBOX_TEST_INSTANCE names it, so that a second checkout can run
 * its suite beside a running default sandbox.
 */
export const sharedInstance = process.env.SANDBOX_TEST_INSTANCE || "default";

/** `sandbox` arguments that address an instance. */
export function instanceArgs(instance = sharedInstance): string[] {
  return instance === "default" ? [] : ["--instance", instance];
}

export function runDir(instance = sharedInstance) {
  return join(repoRoot, ".sandbox", instance);
}

/** The endpoints.env of a running sandbox instance, or a clear error telling how to start it. */
export function readEndpoints(instance = sharedInstance): SandboxEndpoints {
  const file = join(runDir(instance), "endpoints.env");
  if (!existsSync(file)) {
    throw new Error(
      `The sandbox instance "${instance}" is not running (${file} is missing). ` +
        `Start it with ${["./scripts/sandbox start", ...instanceArgs(instance)].join(" ")}, ` +
        "or run the tests through ./scripts/test, which starts it.",
    );
  }
  const entries = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.includes("="))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const);
  return Object.fromEntries(entries);
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function sandbox(args: string[], env: Record<string, string> = {}): Promise<ScriptResult> {
  try {
    const { stdout, stderr } = await execFileAsync(sandboxScript, args, {
      env: { ...process.env, ...env },
      timeout: 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === "number" ? failed.code : -1,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? "",
    };
  }
}

/** Runs one boto3 operation (test/support/aws_probe.py) against an instance's moto server. */
export async function awsProbe<T>(request: Record<string, unknown>, instance = sharedInstance): Promise<T> {
  const endpoints = readEndpoints(instance);
  const { stdout } = await execFileAsync(
    join(endpoints.SANDBOX_VENV!, "bin", "python"),
    [join(__dirname, "aws_probe.py"), JSON.stringify(request)],
    { env: { ...process.env, ...endpoints }, timeout: 60_000 },
  );
  return JSON.parse(stdout) as T;
}
