import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = join(__dirname, "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "setup-errors-"));
const scratchDir = (prefix: string) => mkdtempSync(join(scratch, prefix));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs bash with only the given folders on PATH and an empty cache, as a fresh machine would. HOME is an
 * empty folder: bash started over a socket-pair stdin sources ~/.bashrc, which would widen PATH again.
 */
function runScript(script: string, pathDirs: string[], cacheRoot = scratchDir("cache-")) {
  const result = spawnSync("/bin/bash", ["-c", script], {
    cwd: repoRoot,
    encoding: "utf8",
    env: {
      HOME: scratchDir("home-"),
      PATH: pathDirs.join(":"),
      POLARIS_PULUMI_CACHE: cacheRoot,
      // The bootstrap must not find Go in its usual install folders either.
      GO_SEARCH_DIRS: "",
    },
  });
  return { code: result.status, stderr: result.stderr };
}

/** A folder holding a fake `node` that reports the given version, like an old system Node.js. */
function fakeNode(version: string) {
  const dir = scratchDir("fake-node-");
  writeFileSync(join(dir, "node"), `#!/bin/sh\necho ${version.split(".")[0]}\n`);
  chmodSync(join(dir, "node"), 0o755);
  return dir;
}

describe("bad setup stops with the missing piece and the command that fixes it", () => {
  it("Node.js older than 22", () => {
    const { code, stderr } = runScript("source scripts/lib/env.sh && use_node", [
      fakeNode("20.20.2"),
      "/usr/bin",
      "/bin",
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/is too old: @pulumi\/pulumi needs Node >= 22/);
    expect(stderr).toContain("fix: ./scripts/bootstrap node");
  });

  it("the Go toolchain missing when the Pulumi CLI must be built", () => {
    // /usr/local/go/bin is left off PATH: no `go` anywhere.
    const { code, stderr } = runScript("./scripts/bootstrap pulumi", ["/usr/bin", "/bin"]);
    expect(code).toBe(1);
    expect(stderr).toContain("the Go toolchain is not installed");
    expect(stderr).toContain("fix: apt-get install golang-go");
  });

  it("a cache holding a Pulumi CLI built for another version", () => {
    const cacheRoot = scratchDir("cache-");
    const stale = join(cacheRoot, "pulumi-3.200.0-0123456789", "bin");
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, "pulumi"), "#!/bin/sh\necho v3.200.0\n");
    const { code, stderr } = runScript(
      "source scripts/lib/env.sh && use_pulumi",
      [fakeNode("24.21.0"), "/usr/bin", "/bin"],
      cacheRoot,
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /built for another version \(pulumi-3\.200\.0-0123456789\), but this checkout pins 3\.259\.0/,
    );
    expect(stderr).toContain("fix: ./scripts/bootstrap pulumi");
  });

  it("a CLI folder whose build was interrupted or made for another version", () => {
    const cacheRoot = scratchDir("cache-");
    const key = spawnSync("/bin/bash", ["-c", "source scripts/lib/env.sh && basename $PULUMI_DIR"], {
      cwd: repoRoot,
      encoding: "utf8",
      env: {
        PATH: "/usr/bin:/bin",
        POLARIS_PULUMI_CACHE: cacheRoot,
        HOME: scratchDir("home-"),
      },
    }).stdout.trim();
    mkdirSync(join(cacheRoot, key, "bin"), { recursive: true });
    writeFileSync(join(cacheRoot, key, "bin", "pulumi"), "#!/bin/sh\n");
    chmodSync(join(cacheRoot, key, "bin", "pulumi"), 0o755);
    writeFileSync(join(cacheRoot, key, ".version"), "3.100.0\n");
    const { code, stderr } = runScript(
      "source scripts/lib/env.sh && use_pulumi",
      [fakeNode("24.21.0"), "/usr/bin", "/bin"],
      cacheRoot,
    );
    expect(code).toBe(1);
    expect(stderr).toContain("was built for Pulumi '3.100.0', not 3.259.0");
    expect(stderr).toContain("./scripts/bootstrap pulumi");
  });
});
