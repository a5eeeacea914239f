import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../../src/review/cli";
import { driftMarker } from "../../../src/review/drift-markdown";
import { ghCli, syncDriftIssue, upsertComment } from "../../../src/review/github";
import { previewMarker } from "../../../src/review/preview-markdown";

// The GitHub half of the review with `gh` replaced by a recorded fake on PATH (fake-gh/gh), which keeps a
// small repository state: the decisions (create or edit the comment, open, update or close the issue) are
// checked against what the fake GitHub holds afterwards.

const fixtures = join(__dirname, "..", "..", "e2e", "golden", "fixtures");
const repo = "acme/data-platform";

interface Comment {
  id: number;
  issue: number;
  body: string;
}
interface Issue {
  number: number;
  title?: string;
  body: string;
  state: string;
  pull_request?: unknown;
}

let dir: string;
let savedPath: string | undefined;

function setState(state: { comments?: Comment[]; issues?: Issue[] }) {
  writeFileSync(process.env.FAKE_GH_STATE!, JSON.stringify({ comments: [], issues: [], ...state }));
}
function state(): { comments: Comment[]; issues: Issue[] } {
  return JSON.parse(readFileSync(process.env.FAKE_GH_STATE!, "utf8"));
}
function calls(): string[][] {
  return readFileSync(process.env.FAKE_GH_LOG!, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "review-gh-"));
  savedPath = process.env.PATH;
  process.env.PATH = `${join(__dirname, "fake-gh")}:${process.env.PATH}`;
  process.env.FAKE_GH_LOG = join(dir, "calls.jsonl");
  process.env.FAKE_GH_STATE = join(dir, "state.json");
  writeFileSync(process.env.FAKE_GH_LOG, "");
});

afterEach(() => {
  process.env.PATH = savedPath;
  rmSync(dir, { recursive: true, force: true });
});

describe("the pull-request comment", () => {
  it("is created once, then edited in place; another stack gets its own; a quote of the marker is not it", async () => {
    const gh = ghCli();
    setState({
      comments: [
        { id: 1, issue: 42, body: "Looks good to me" },
        { id: 2, issue: 42, body: `> ${previewMarker("prod")}\n> quoted by a reviewer` },
        { id: 3, issue: 7, body: `${previewMarker("prod")}\nanother pull request` },
      ],
    });
    const first = await upsertComment(gh, {
      repo,
      pr: 42,
      marker: previewMarker("prod"),
      body: `${previewMarker("prod")}\nv1`,
    });
    expect(first.action).toBe("created");
    const second = await upsertComment(gh, {
      repo,
      pr: 42,
      marker: previewMarker("prod"),
      body: `${previewMarker("prod")}\nv2`,
    });
    expect(second).toEqual({ action: "updated", id: first.id });
    const local = await upsertComment(gh, {
      repo,
      pr: 42,
      marker: previewMarker("local"),
      body: `${previewMarker("local")}\nx`,
    });
    expect(local.action).toBe("created");

    const on42 = state().comments.filter((c) => c.issue === 42);
    expect(on42.map((c) => c.body)).toEqual([
      "Looks good to me",
      `> ${previewMarker("prod")}\n> quoted by a reviewer`,
      `${previewMarker("prod")}\nv2`,
      `${previewMarker("local")}\nx`,
    ]);
    expect(state().comments.find((c) => c.id === 3)?.body, "the other pull request's comment").toMatch(
      /another/,
    );
    expect(calls().every((args) => args.some((a) => a.startsWith(`repos/${repo}/`)))).toBe(true);
  });
});

describe("the drift issue", () => {
  const target = (body: string, needsAttention: boolean) => ({
    repo,
    marker: driftMarker("prod"),
    title: "Drift on stack prod",
    body: `${driftMarker("prod")}\n${body}`,
    needsAttention,
  });

  it("opens on drift, is updated while drift lasts, closes when a check finds none, then stays closed", async () => {
    const gh = ghCli();
    setState({
      issues: [
        // A pull request carrying the marker (the issues endpoint lists pull requests too) is not the issue.
        { number: 5, body: `${driftMarker("prod")}\nin a PR`, state: "open", pull_request: {} },
        { number: 6, body: `${driftMarker("local")}\nother stack`, state: "open" },
      ],
    });
    const opened = await syncDriftIssue(gh, target("6 entities changed", true));
    expect(opened.action).toBe("opened");
    const updated = await syncDriftIssue(gh, target("7 entities changed", true));
    expect(updated).toEqual({ action: "updated", number: opened.number });
    expect(state().issues.find((i) => i.number === opened.number)).toMatchObject({
      title: "Drift on stack prod",
      body: `${driftMarker("prod")}\n7 entities changed`,
      state: "open",
    });

    const closed = await syncDriftIssue(gh, target("No drift", false));
    expect(closed).toEqual({ action: "closed", number: opened.number });
    expect(state().issues.find((i) => i.number === opened.number)?.state).toBe("closed");
    expect(state().comments.find((c) => c.issue === opened.number)?.body, "says why it closes").toMatch(
      /No drift/,
    );
    expect(await syncDriftIssue(gh, target("No drift", false))).toEqual({ action: "none" });
    expect(
      state()
        .issues.filter((i) => i.number === 5 || i.number === 6)
        .map((i) => i.state),
    ).toEqual(["open", "open"]);
  });

  it("a failed check opens the issue too, so that someone looks", async () => {
    setState({});
    expect((await syncDriftIssue(ghCli(), target("the drift check failed", true))).action).toBe("opened");
  });
});

describe("polaris-pulumi-review on recorded Pulumi JSON", () => {
  const io = (lines: string[]) => ({
    gh: ghCli(),
    preview: () => Promise.reject(new Error("Pulumi must not run with --input")),
    refresh: () => Promise.reject(new Error("Pulumi must not run with --input")),
    log: (line: string) => lines.push(line),
    print: (text: string) => lines.push(text),
    env: { GITHUB_REPOSITORY: repo },
  });

  it("posts the preview of a failed preview and exits 1, so that the check fails", async () => {
    setState({});
    const lines: string[] = [];
    const code = await main(
      [
        "preview",
        "--stack",
        "review",
        "--pr",
        "42",
        "--input",
        join(fixtures, "preview-storage-refused.json"),
        "--output",
        join(dir, "out.md"),
      ],
      io(lines),
    );
    expect(code).toBe(1);
    const [comment] = state().comments;
    expect(comment?.issue).toBe(42);
    expect(comment?.body).toBe(readFileSync(join(dir, "out.md"), "utf8"));
    expect(comment?.body).toMatch(/Polaris cannot change storage\.roleArn in place/);
    expect(lines.join("\n")).toMatch(/comment \d+ created on pull request #42/);
  });

  it("opens the drift issue from a drift run and closes it from a clean one", async () => {
    setState({});
    const lines: string[] = [];
    expect(
      await main(["drift", "--stack", "review", "--input", join(fixtures, "drift-report.json")], io(lines)),
    ).toBe(0);
    expect(state().issues).toMatchObject([{ title: "Drift on stack review", state: "open" }]);
    expect(
      await main(["drift", "--stack", "review", "--input", join(fixtures, "drift-none.json")], io(lines)),
    ).toBe(0);
    expect(state().issues).toMatchObject([{ state: "closed" }]);
    expect(lines.join("\n")).toMatch(
      /6 entities changed outside Pulumi; issue #100 opened[\s\S]*no drift; issue #100 closed/,
    );
  });

  it("--dry-run never calls gh; usage errors exit 2 and say what is missing", async () => {
    setState({});
    const lines: string[] = [];
    const dryRun = [
      "preview",
      "--stack",
      "review",
      "--dry-run",
      "--input",
      join(fixtures, "preview-namespace-added.json"),
    ];
    expect(await main(dryRun, io(lines))).toBe(0);
    expect(calls()).toEqual([]);
    expect(await main(["preview", "--stack", "review"], io(lines))).toBe(2);
    expect(lines.join("\n")).toMatch(/preview needs --pr N/);
    expect(await main(["drift"], io(lines))).toBe(2);
    expect(lines.join("\n")).toMatch(/--stack is required/);
    expect(await main(["apply", "--stack", "x"], io(lines))).toBe(2);
  });
});
