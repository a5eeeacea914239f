import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The GitHub Actions workflows: linted by actionlint (built by ./scripts/bootstrap actionlint into the
// cache), running the same scripts the e2e test runs, with every third-party action pinned by commit.

const repoRoot = join(__dirname, "..", "..", "..");
const workflows = join(repoRoot, ".github", "workflows");

function actionlint(): string {
  const version = /^ACTIONLINT_VERSION=(.+)$/m.exec(
    readFileSync(join(repoRoot, "toolchain", "versions.env"), "utf8"),
  )?.[1];
  const cache =
    process.env.POLARIS_PULUMI_CACHE ||
    join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "polaris-pulumi");
  const binary = join(process.env.ACTIONLINT_DIR || join(cache, `actionlint-${version}`), "actionlint");
  if (!existsSync(binary)) {
    throw new Error(
      `actionlint ${version} is not built (${binary} is missing). Run ./scripts/bootstrap actionlint`,
    );
  }
  return binary;
}

const read = (file: string) => readFileSync(join(workflows, file), "utf8");

describe("the review workflows", () => {
  it("pass actionlint", () => {
    const result = spawnSync(
      actionlint(),
      ["-no-color", "-oneline", join(workflows, "preview.yml"), join(workflows, "drift.yml")],
      {
        encoding: "utf8",
      },
    );
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("actionlint does catch a broken workflow (an unknown expression and a missing runs-on)", () => {
    const dir = mkdtempSync(join(tmpdir(), "actionlint-"));
    try {
      const broken = join(dir, "broken.yml");
      writeFileSync(
        broken,
        [
          "on: pull_request",
          "jobs:",
          "  x:",
          "    steps:",
          // "$" and "{{" apart in the source: an Actions expression, not a template placeholder.
          `      - run: echo $${"{{"} github.event.nope.title }}`,
          "",
        ].join("\n"),
      );
      const result = spawnSync(actionlint(), ["-no-color", "-oneline", broken], { encoding: "utf8" });
      expect(result.status).not.toBe(0);
      expect(result.stdout).toMatch(/runs-on/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("run the scripts the tests run, with the stack and pull request passed through the environment", () => {
    expect(read("preview.yml")).toMatch(
      /run: \.\/scripts\/preview-comment --stack "\$STACK" --pr "\$PR_NUMBER"/,
    );
    expect(read("drift.yml")).toMatch(/run: \.\/scripts\/drift-report --stack "\$STACK"/);
    expect(read("preview.yml")).toMatch(/^ {2}pull_request:/m);
    expect(read("drift.yml")).toMatch(/^ {2}schedule:\n {4}- cron:/m);
    expect(read("drift.yml")).toMatch(/^ {2}workflow_dispatch:/m);
  });

  it("pin every action by full commit and say where it comes from; name every secret they read", () => {
    for (const file of ["preview.yml", "drift.yml"]) {
      const lines = read(file).split("\n");
      lines.forEach((line, index) => {
        const uses = /uses: (\S+)@(\S+)/.exec(line);
        if (!uses) return;
        expect(uses[2], `${file}: ${uses[1]} pinned by commit`).toMatch(/^[0-9a-f]{40}$/);
        expect(lines[index - 1], `${file}: the comment above ${uses[1]}`).toMatch(
          new RegExp(`# ${uses[1]!.replace("/", "\\/")} v[\\d.]+, pinned to its release commit`),
        );
      });
      const used = [...read(file).matchAll(/secrets\.(\w+)/g)].map((match) => match[1]!);
      const header = read(file).split("\nname:")[0]!;
      for (const secret of new Set(used)) expect(header, `${file} documents ${secret}`).toContain(secret);
    }
  });

  it("the scripts they run exist and are executable", () => {
    for (const script of ["preview-comment", "drift-report"]) {
      expect(() => execFileSync("test", ["-x", join(repoRoot, "scripts", script)])).not.toThrow();
    }
  });
});
