#!/usr/bin/env node
/**
 * polaris-pulumi-review: the review command a CI job runs.
 *
 *   polaris-pulumi-review preview --stack NAME [--cwd DIR] [--pr N] [--repo OWNER/NAME] [--output FILE] [--dry-run]
 *   polaris-pulumi-review drift   --stack NAME [--cwd DIR] [--repo OWNER/NAME] [--output FILE] [--dry-run]
 *
 * It runs Pulumi (or reads its JSON with --input), writes the Markdown, and posts it with `gh` unless
 * --dry-run: the preview as the pull request's comment for the stack, the drift report as the stack's issue.
 * Exit status: 0, or 1 when the preview or the drift check itself failed (after reporting it), 2 for bad usage.
 */
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { driftFindings, driftMarkdown, driftMarker } from "./drift-markdown";
import { type EngineRun, readEngineRun } from "./engine-run";
import { type Gh, ghCli, syncDriftIssue, upsertComment } from "./github";
import { previewMarkdown, previewMarker } from "./preview-markdown";
import { type PulumiOutput, previewJson, refreshPreviewJson } from "./pulumi-run";

export interface CliEnvironment {
  gh: Gh;
  /** Runs Pulumi; replaced in tests that read recorded JSON with --input. */
  preview: typeof previewJson;
  refresh: typeof refreshPreviewJson;
  log: (line: string) => void;
  print: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const USAGE = `usage:
  polaris-pulumi-review preview --stack NAME [--cwd DIR] [--pr N] [--repo OWNER/NAME] [--output FILE] [--dry-run]
  polaris-pulumi-review drift   --stack NAME [--cwd DIR] [--repo OWNER/NAME] [--output FILE] [--dry-run]
options:
  --input FILE       read Pulumi's JSON from FILE ("-" for stdin) instead of running Pulumi
  --save-input FILE  keep the JSON Pulumi printed (secret values are masked in it, as Pulumi masks them)
  --output FILE      write the Markdown to FILE instead of stdout
  --dry-run          only write the Markdown; do not call gh
  --pr N             the pull request to comment on (preview; required unless --dry-run)
  --repo OWNER/NAME  the repository (default: $GITHUB_REPOSITORY, else the checkout's, as gh finds it)`;

class UsageError extends Error {}

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stack: { type: "string" },
      cwd: { type: "string" },
      input: { type: "string" },
      "save-input": { type: "string" },
      output: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      pr: { type: "string" },
      repo: { type: "string" },
    },
  });
  const [command, ...rest] = positionals;
  if (command !== "preview" && command !== "drift") {
    throw new UsageError(`the first argument must be preview or drift, not ${command ?? "nothing"}`);
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  if (!values.stack) throw new UsageError("--stack is required: the stack to review, e.g. --stack prod");
  if (command === "preview" && !values["dry-run"] && !/^\d+$/.test(values.pr ?? "")) {
    throw new UsageError("preview needs --pr N (the pull request number) to comment, or --dry-run");
  }
  return { command, values: { ...values, stack: values.stack } };
}

async function pulumiJson(
  values: { input?: string; stack: string; cwd?: string },
  run: (target: { stack: string; cwd?: string }) => Promise<PulumiOutput>,
): Promise<{ json: string; failure?: string }> {
  if (values.input) {
    return { json: values.input === "-" ? readFileSync(0, "utf8") : await readFile(values.input, "utf8") };
  }
  const output = await run({ stack: values.stack, ...(values.cwd ? { cwd: values.cwd } : {}) });
  return {
    json: output.json,
    ...(output.json.trim()
      ? {}
      : {
          failure:
            output.stderrTail ||
            `pulumi exited ${output.exitCode} without printing JSON; run it by hand to see why`,
        }),
  };
}

/** Pulumi's JSON, or, when it printed none, a run that carries the CLI's own error. */
function engineRun(json: string, failure: string | undefined): EngineRun {
  if (failure !== undefined) {
    return { steps: [], diagnostics: [{ severity: "error", message: failure }], changeSummary: {} };
  }
  return readEngineRun(json);
}

export async function main(argv: string[], io: CliEnvironment): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.print(`${USAGE}\n`);
    return 0;
  }
  let parsed: ReturnType<typeof options>;
  try {
    parsed = options(argv);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      throw error;
    }
    io.log(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { command, values } = parsed;
  const { json, failure } = await pulumiJson(values, command === "preview" ? io.preview : io.refresh);
  if (values["save-input"]) await writeFile(values["save-input"], json);
  const run = engineRun(json, failure);
  const failed = run.diagnostics.some((d) => d.severity === "error");
  const markdown =
    command === "preview" ? previewMarkdown(run, values.stack) : driftMarkdown(run, values.stack);
  if (values.output) await writeFile(values.output, markdown);
  else io.print(markdown);

  const repo = values.repo ?? io.env.GITHUB_REPOSITORY ?? "{owner}/{repo}";
  if (command === "preview") {
    if (values["dry-run"]) io.log(`preview of ${values.stack}: dry run, no comment posted`);
    else {
      const posted = await upsertComment(io.gh, {
        repo,
        pr: Number(values.pr),
        marker: previewMarker(values.stack),
        body: markdown,
      });
      io.log(
        `preview of ${values.stack}: comment ${posted.id} ${posted.action} on pull request #${values.pr}`,
      );
    }
    return failed ? 1 : 0;
  }

  const findings = driftFindings(run);
  const summary = failed
    ? "the drift check failed"
    : findings.changes.length > 0
      ? `${findings.changes.length} entities changed outside Pulumi`
      : "no drift";
  if (values["dry-run"]) io.log(`drift of ${values.stack}: ${summary}; dry run, no issue touched`);
  else {
    const issue = await syncDriftIssue(io.gh, {
      repo,
      marker: driftMarker(values.stack),
      title: `Drift on stack ${values.stack}`,
      body: markdown,
      needsAttention: failed || findings.changes.length > 0,
    });
    io.log(
      `drift of ${values.stack}: ${summary}; issue ${issue.number ? `#${issue.number} ` : ""}${issue.action}`,
    );
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2), {
    gh: ghCli(),
    preview: previewJson,
    refresh: refreshPreviewJson,
    log: (line) => process.stderr.write(`${line}\n`),
    print: (text) => process.stdout.write(text),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
