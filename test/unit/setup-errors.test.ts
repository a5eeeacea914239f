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
function runScript(
  script: string,
  pathDirs: string[],
  cacheRoot = scratchDir("cache-"),
  env: Record<string, string> = {},
) {
  const result = spawnSync("/bin/bash", ["-c", script], {
    cwd: repoRoot,
    encoding: "utf8",
    env: {
      HOME: scratchDir("home-"),
      PATH: pathDirs.join(":"),
      POLARIS_PULUMI_CACHE: cacheRoot,
      // The bootstrap must not find Go or a JDK in their usual install folders either.
      GO_SEARCH_DIRS: "",
      JAVA_SEARCH_DIRS: "",
      ...env,
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

/**
 * A `bin` folder of fake programs, each name mapped to the shell body of its script. It sits inside its
 * own install folder, as a JDK's `bin/java` does.
 */
function fakePrograms(programs: Record<string, string>) {
  const dir = join(scratchDir("fake-install-"), "bin");
  mkdirSync(dir);
  for (const [name, body] of Object.entries(programs)) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

/** A `java` that reports the given major version the way `-XshowSettings:properties` does. */
const fakeJava = (major: number) => `echo "    java.specification.version = ${major}" >&2`;

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

  it("no Java >= 21 for the sandbox's Polaris, naming what was found", () => {
    const { code, stderr } = runScript(
      "source scripts/lib/env.sh && find_java_home",
      [fakePrograms({ java: fakeJava(17) }), "/usr/bin", "/bin"],
      undefined,
      { JAVA_HOME: "" },
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/no Java >= 21 found \(the sandbox's Polaris needs it\); found: .*\(Java 17\)/);
    expect(stderr).toContain("fix: apt-get install temurin-21-jdk");
  });

  it("no Maven 3.9 to be had: the system Maven is too old and Maven Central does not serve 3.9.11", () => {
    const fakes = fakePrograms({
      java: fakeJava(21),
      mvn: 'if [ "$1" = -v ]; then echo "Apache Maven 3.6.3"; else echo "[ERROR] Could not resolve apache-maven"; exit 1; fi',
    });
    const { code, stderr } = runScript(
      "./scripts/bootstrap polaris",
      [fakes, "/usr/bin", "/bin"],
      undefined,
      {
        JAVA_HOME: "",
      },
    );
    expect(code).toBe(1);
    expect(stderr).toContain(
      "Maven 3.6.3 is older than 3.9, and Maven 3.9.11 could not be fetched from Maven Central",
    );
    expect(stderr).toContain("fix: check that Maven Central is reachable, or install Maven >= 3.9");
  });

  it("`npm test` under a Node.js older than 22 refuses with the fix, instead of crashing inside vitest", () => {
    const result = spawnSync(
      process.execPath,
      [
        "-e",
        'Object.defineProperty(process.versions, "node", { value: "20.20.2" }); require("./scripts/lib/require-node.cjs")',
      ],
      { cwd: repoRoot, encoding: "utf8" },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("is too old: @pulumi/pulumi and vitest need Node >= 22");
    expect(result.stderr).toContain("fix: ./scripts/test");
  });
});

describe("the sandbox stack's passphrase", () => {
  it("ignores a PULUMI_CONFIG_PASSPHRASE from the user's shell, and says so", () => {
    const result = spawnSync(
      "/bin/bash",
      [
        "-c",
        'source scripts/lib/env.sh && sandbox_stack_passphrase && printf "[%s]" "$PULUMI_CONFIG_PASSPHRASE"',
      ],
      {
        cwd: repoRoot,
        encoding: "utf8",
        env: {
          PATH: process.env.PATH,
          HOME: scratchDir("home-"),
          PULUMI_CONFIG_PASSPHRASE: "for-other-stacks",
        },
      },
    );
    expect(result.stdout).toBe("[]");
    expect(result.stderr).toContain(
      "ignoring PULUMI_CONFIG_PASSPHRASE from your shell for the sandbox stack",
    );
  });

  it("takes POLARIS_SANDBOX_PASSPHRASE when set", () => {
    const result = spawnSync(
      "/bin/bash",
      [
        "-c",
        'source scripts/lib/env.sh && sandbox_stack_passphrase && printf "[%s]" "$PULUMI_CONFIG_PASSPHRASE"',
      ],
      {
        cwd: repoRoot,
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: scratchDir("home-"), POLARIS_SANDBOX_PASSPHRASE: "mine" },
      },
    );
    expect(result.stdout).toBe("[mine]");
  });
});
