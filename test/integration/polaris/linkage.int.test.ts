import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../support/sandbox";

const polarisDir = execFileSync("bash", ["-c", 'source scripts/lib/env.sh && echo "$POLARIS_DIR"'], {
  cwd: repoRoot,
  encoding: "utf8",
}).trim();
const appDir = join(polarisDir, "quarkus-app");
const checker = join(repoRoot, "toolchain", "polaris", "linkage", "check.py");

function check(dir: string) {
  const run = spawnSync("python3", [checker, dir], { encoding: "utf8" });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A copy of the built app whose generated jar was rewritten by `edit` (a Python snippet over `data`). */
function brokenCopy(scratch: string, classEntry: string, edit: string): string {
  const copy = join(scratch, "quarkus-app");
  cpSync(appDir, copy, { recursive: true });
  const appJar = join(copy, "app", readdirSync(join(copy, "app"))[0]!);
  const rewrite = `
import sys, zipfile, shutil
jar, entry = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(jar) as src, zipfile.ZipFile(jar + ".new", "w") as dst:
    for item in src.infolist():
        data = src.read(item.filename)
        if item.filename == entry:
${edit}
        if data is not None:
            dst.writestr(item, data)
shutil.move(jar + ".new", jar)
`;
  execFileSync("python3", ["-c", rewrite, appJar, classEntry]);
  return copy;
}

describe("the sandbox server's generated API layer links against runtime-service and core 1.4.1", () => {
  const scratch = mkdtempSync(join(tmpdir(), "linkage-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("resolves all 517 member references and implements every generated *ApiService method", () => {
    const result = check(appDir);
    expect(result.output).toContain("linkage: 517 references from runtime-service and core, 0 missing");
    expect(result.output).toMatch(
      /services: 8 generated \*ApiService interfaces, \d+ implementations in runtime-service, 0 methods not implemented/,
    );
    expect(result.code).toBe(0);
  });

  it("fails, naming the class, when a generated class goes missing", () => {
    const copy = brokenCopy(
      join(scratch, "class"),
      "org/apache/polaris/core/admin/model/CatalogRole.class",
      "            data = None",
    );
    const result = check(copy);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/MISSING C org\/apache\/polaris\/core\/admin\/model\/CatalogRole /);
  });

  it("fails, naming the method, when a generated method goes missing", () => {
    const copy = brokenCopy(
      join(scratch, "method"),
      "org/apache/polaris/core/admin/model/Catalog.class",
      '            data = data.replace(b"getStorageConfigInfo", b"getStorageConfigInfX")',
    );
    const result = check(copy);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /MISSING M org\/apache\/polaris\/core\/admin\/model\/Catalog getStorageConfigInfo\(\)/,
    );
  });
});
