import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Drives the real `pulumi` CLI (the one scripts/lib/env.sh put first on PATH) against a throwaway file
 * backend, so each test owns its state and never touches the user's stacks.
 */
export class PulumiWorkspace {
  private constructor(
    readonly programDir: string,
    readonly backendDir: string,
    readonly stack: string,
    private readonly extraEnv: Record<string, string>,
  ) {}

  static async create(programDir: string, stack: string, extraEnv: Record<string, string> = {}) {
    const backendDir = await mkdtemp(join(tmpdir(), "polaris-pulumi-backend-"));
    const workspace = new PulumiWorkspace(programDir, backendDir, stack, extraEnv);
    await workspace.mustRun(["stack", "init", stack]);
    return workspace;
  }

  get env(): Record<string, string> {
    return {
      ...(process.env as Record<string, string>),
      PULUMI_BACKEND_URL: `file://${this.backendDir}`,
      PULUMI_CONFIG_PASSPHRASE: "polaris-pulumi-test-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      NO_COLOR: "1",
      ...this.extraEnv,
    };
  }

  private cliArgs(args: string[]): string[] {
    const fullArgs = [...args, "--non-interactive", "--cwd", this.programDir];
    const stackIsPositional = args[0] === "stack" && (args[1] === "init" || args[1] === "rm");
    if (!stackIsPositional) fullArgs.push("--stack", this.stack);
    return fullArgs;
  }

  /**
   * Starts the CLI without waiting for it, as the leader of a session of its own: the language host, the
   * program and the provider hosts each get a process group of their own, but all stay in that session, so
   * a test can kill the whole run at once (see the crash test).
   */
  start(args: string[]): ChildProcessByStdio<null, Readable, Readable> {
    return spawn("pulumi", this.cliArgs(args), {
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
  }

  run(args: string[], timeoutMs = 300_000): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", this.cliArgs(args), { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const timer = setTimeout(() => {
        child.kill("SIGTERM");
        reject(
          new Error(`pulumi ${args.join(" ")} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`),
        );
      }, timeoutMs);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  async mustRun(args: string[], timeoutMs?: number): Promise<CliResult> {
    const result = await this.run(args, timeoutMs);
    if (result.code !== 0) {
      throw new Error(
        `pulumi ${args.join(" ")} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
      );
    }
    return result;
  }

  async setConfig(key: string, value: string, secret = false) {
    await this.mustRun(["config", "set", key, value, ...(secret ? ["--secret"] : [])]);
  }

  async exportState(): Promise<StateExport> {
    return JSON.parse((await this.mustRun(["stack", "export"])).stdout) as StateExport;
  }

  async dispose() {
    await this.run(["stack", "rm", this.stack, "--yes", "--force"]);
    await rm(this.backendDir, { recursive: true, force: true });
  }
}

export interface StateResource {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface StateExport {
  deployment: { resources?: StateResource[] };
}
