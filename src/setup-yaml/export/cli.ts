#!/usr/bin/env node
/**
 * `polaris-pulumi-setup-export` (and `scripts/setup-export`): writes a stack's Polaris entities as the YAML
 * that `polaris setup apply` reads. The state comes from `pulumi stack export --show-secrets`, run here,
 * or from a file (`--state`); decrypted values stay in this process and no secret is written out.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { exportSetupYaml } from "./export-setup-yaml";

const USAGE = `usage: setup-export [--stack NAME] [--cwd DIR] [--state FILE|-] [--output FILE]

Writes the stack's Polaris entities as a \`polaris setup apply\` YAML, on stdout unless --output is given.
What the format cannot hold is left out with a warning on stderr; secrets are never written.

  --stack NAME    the stack (default: the selected stack of the project in --cwd)
  --cwd DIR       the Pulumi project's folder (default: the working directory)
  --state FILE    read a \`pulumi stack export --show-secrets\` from FILE (or - for stdin) instead of
                  running pulumi
  --output FILE   write the YAML to FILE`;

interface Options {
  stack?: string;
  cwd?: string;
  state?: string;
  output?: string;
}

function parseArguments(argv: string[]): Options | "help" {
  const options: Options = {};
  const names = { "--stack": "stack", "--cwd": "cwd", "--state": "state", "--output": "output" } as const;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]!;
    if (argument === "-h" || argument === "--help") return "help";
    const name = names[argument as keyof typeof names];
    if (!name) throw new UsageError(`unknown argument ${argument}`);
    const value = argv[++i];
    if (value === undefined || (value.startsWith("--") && value !== "-"))
      throw new UsageError(`${argument} needs a value`);
    options[name] = value;
  }
  return options;
}

class UsageError extends Error {}

function stateText(options: Options): string {
  if (options.state !== undefined) return readFileSync(options.state === "-" ? 0 : options.state, "utf8");
  const args = ["stack", "export", "--show-secrets", ...(options.stack ? ["--stack", options.stack] : [])];
  const run = spawnSync("pulumi", [...args, ...(options.cwd ? ["--cwd", options.cwd] : [])], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (run.error)
    throw new Error(`cannot run pulumi (${run.error.message}); put the pulumi CLI on PATH, or pass --state`);
  if (run.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${run.stderr.trim()}`);
  return run.stdout;
}

export function main(argv: string[]): number {
  let options: Options | "help";
  try {
    options = parseArguments(argv);
  } catch (error) {
    process.stderr.write(`setup-export: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    let state: unknown;
    const raw = stateText(options);
    try {
      state = JSON.parse(raw);
    } catch {
      throw new Error("the state is not JSON: give the output of `pulumi stack export --show-secrets`");
    }
    const exported = exportSetupYaml(state);
    const header =
      `# Written by polaris-pulumi setup-export${options.stack ? ` from stack ${options.stack}` : ""}. ` +
      "Apply it with: polaris setup apply <this file>\n";
    const yaml = header + exported.yaml;
    if (options.output !== undefined) writeFileSync(options.output, yaml);
    else process.stdout.write(yaml);
    for (const warning of exported.warnings) process.stderr.write(`warning: ${warning}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`setup-export: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
