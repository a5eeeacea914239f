import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = join(__dirname, "..", "..");

describe("types generated from the Polaris OpenAPI specs", () => {
  it("are up to date with the specs (regenerate with npm run generate)", () => {
    const fresh = mkdtempSync(join(tmpdir(), "generated-"));
    execFileSync(join(repoRoot, "scripts", "generate-polaris-types"), [fresh], { stdio: "pipe" });
    for (const file of ["management.ts", "catalog.ts"]) {
      const committed = readFileSync(join(repoRoot, "src", "polaris", "generated", file), "utf8");
      expect(readFileSync(join(fresh, file), "utf8"), `${file} differs from the specs`).toBe(committed);
    }
    rmSync(fresh, { recursive: true, force: true });
  });
});
