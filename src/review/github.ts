/**
 * The GitHub half, through the `gh` CLI: one comment per stack on a pull request, found again by its hidden
 * marker and edited in place; and one issue per stack for drift, opened when drift appears, updated while it
 * lasts, and closed once a check finds none.
 */
import { spawn } from "node:child_process";

/** Runs `gh` with these arguments and resolves to its standard output. */
export type Gh = (args: string[]) => Promise<string>;

export function ghCli(command = "gh"): Gh {
  return (args) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      child.on("error", (error) =>
        reject(
          new Error(
            `could not run ${command} (${error.message}); install the GitHub CLI, or pass --dry-run to only write the Markdown`,
          ),
        ),
      );
      child.on("close", (code) => {
        if (code === 0) resolve(stdout);
        else reject(new Error(`${command} ${args.slice(0, 4).join(" ")} exited ${code}: ${stderr.trim()}`));
      });
    });
}

type Item = Record<string, unknown>;

/** Every element of a paginated list endpoint, one JSON object a line (`--jq .[]`). */
async function list(gh: Gh, path: string): Promise<Item[]> {
  const out = await gh(["api", "--paginate", path, "--jq", ".[]"]);
  return out
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Item);
}

/** The first item whose body starts with the marker (a quote of it in a reply starts with "> "). */
export function findMarked(items: Item[], marker: string): Item | undefined {
  return items.find((item) => typeof item.body === "string" && item.body.startsWith(marker));
}

export interface CommentTarget {
  /** owner/name; `{owner}/{repo}` lets gh take it from the checkout. */
  repo: string;
  pr: number;
  marker: string;
  body: string;
}

export async function upsertComment(
  gh: Gh,
  target: CommentTarget,
): Promise<{ action: "created" | "updated"; id: number }> {
  const comments = await list(gh, `repos/${target.repo}/issues/${target.pr}/comments?per_page=100`);
  const existing = findMarked(comments, target.marker);
  if (existing) {
    await gh([
      "api",
      "-X",
      "PATCH",
      `repos/${target.repo}/issues/comments/${existing.id}`,
      "-f",
      `body=${target.body}`,
    ]);
    return { action: "updated", id: Number(existing.id) };
  }
  const created = JSON.parse(
    await gh([
      "api",
      "-X",
      "POST",
      `repos/${target.repo}/issues/${target.pr}/comments`,
      "-f",
      `body=${target.body}`,
    ]),
  ) as Item;
  return { action: "created", id: Number(created.id) };
}

export interface DriftIssueTarget {
  repo: string;
  marker: string;
  title: string;
  body: string;
  /** Drift was found, or the check itself failed: either needs someone to look. */
  needsAttention: boolean;
}

export type DriftIssueAction = "opened" | "updated" | "closed" | "none";

export async function syncDriftIssue(
  gh: Gh,
  target: DriftIssueTarget,
): Promise<{ action: DriftIssueAction; number?: number }> {
  const open = (await list(gh, `repos/${target.repo}/issues?state=open&per_page=100`)).filter(
    (issue) => !issue.pull_request,
  );
  const existing = findMarked(open, target.marker);
  if (target.needsAttention && existing) {
    await gh([
      "api",
      "-X",
      "PATCH",
      `repos/${target.repo}/issues/${existing.number}`,
      "-f",
      `body=${target.body}`,
    ]);
    return { action: "updated", number: Number(existing.number) };
  }
  if (target.needsAttention) {
    const created = JSON.parse(
      await gh([
        "api",
        "-X",
        "POST",
        `repos/${target.repo}/issues`,
        "-f",
        `title=${target.title}`,
        "-f",
        `body=${target.body}`,
      ]),
    ) as Item;
    return { action: "opened", number: Number(created.number) };
  }
  if (existing) {
    await gh([
      "api",
      "-X",
      "POST",
      `repos/${target.repo}/issues/${existing.number}/comments`,
      "-f",
      `body=${target.body}`,
    ]);
    await gh([
      "api",
      "-X",
      "PATCH",
      `repos/${target.repo}/issues/${existing.number}`,
      "-f",
      "state=closed",
      "-f",
      "state_reason=completed",
    ]);
    return { action: "closed", number: Number(existing.number) };
  }
  return { action: "none" };
}
