/**
 * Runs the Pulumi CLI for a review and hands back the JSON it printed: `pulumi preview --json`, or for drift
 * `pulumi refresh --preview-only` with its engine events (`--event-log`, which the CLI offers when
 * PULUMI_DEBUG_COMMANDS is set, as Pulumi's own Automation API does). Neither changes the stack's state.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PulumiTarget {
  stack: string;
  /** The Pulumi project folder. @default the current folder */
  cwd?: string;
  /** @default "pulumi" from PATH */
  command?: string;
}

export interface PulumiOutput {
  /** The JSON the review reads. */
  json: string;
  exitCode: number;
  /** The end of what the CLI wrote to stderr, for when it printed no JSON at all. */
  stderrTail: string;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on("error", (error) =>
      reject(new Error(`could not run ${command} (${error.message}); put the Pulumi CLI on PATH`)),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function commonArgs(target: PulumiTarget): string[] {
  return [
    "--json",
    "--non-interactive",
    "--stack",
    target.stack,
    ...(target.cwd ? ["--cwd", target.cwd] : []),
  ];
}

const tail = (text: string) => text.trim().split("\n").slice(-20).join("\n");

export async function previewJson(target: PulumiTarget): Promise<PulumiOutput> {
  const result = await run(target.command ?? "pulumi", ["preview", ...commonArgs(target)], process.env);
  return { json: result.stdout, exitCode: result.code, stderrTail: tail(result.stderr) };
}

export async function refreshPreviewJson(target: PulumiTarget): Promise<PulumiOutput> {
  const dir = await mkdtemp(join(tmpdir(), "polaris-pulumi-drift-"));
  const eventLog = join(dir, "events.jsonl");
  try {
    const result = await run(
      target.command ?? "pulumi",
      ["refresh", "--preview-only", ...commonArgs(target), "--event-log", eventLog],
      { ...process.env, PULUMI_DEBUG_COMMANDS: "true" },
    );
    const events = await readFile(eventLog, "utf8").catch(() => "");
    // Without events (the CLI failed before the engine started) the summary still carries the error.
    return {
      json: events.trim() ? events : result.stdout,
      exitCode: result.code,
      stderrTail: tail(result.stderr),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
