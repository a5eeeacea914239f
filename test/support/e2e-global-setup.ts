import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const repoRoot = join(__dirname, "..", "..");

/**
 * Checks that the pinned Pulumi CLI is the one on PATH and compiles the library, because dynamic
 * providers load their implementation from dist/ by package name in a separate process.
 */
export default function setup() {
  const sdkVersion = JSON.parse(
    readFileSync(join(repoRoot, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
  ).version as string;
  let cliVersion: string;
  try {
    cliVersion = execFileSync("pulumi", ["version"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      "The e2e tests need the pinned `pulumi` CLI on PATH. Run them through ./scripts/test, or run ./scripts/bootstrap pulumi first.",
    );
  }
  if (cliVersion.replace(/^v/, "") !== sdkVersion) {
    throw new Error(
      `pulumi on PATH is ${cliVersion}, but @pulumi/pulumi is ${sdkVersion}. Run the tests through ./scripts/test, which puts the pinned CLI first.`,
    );
  }
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: repoRoot, stdio: "inherit" });
}
