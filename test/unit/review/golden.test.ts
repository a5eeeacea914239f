import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { driftMarkdown } from "../../../src/review/drift-markdown";
import { readEngineRun } from "../../../src/review/engine-run";
import { previewMarkdown } from "../../../src/review/preview-markdown";

// The golden Markdown of test/e2e/golden, rendered again from the normalized Pulumi JSON the e2e test
// recorded on the sandbox (UPDATE_GOLDEN=1), so that a renderer change shows here without a sandbox.

const golden = join(__dirname, "..", "..", "e2e", "golden");
const CASES = [
  "preview-namespace-added",
  "preview-grant-removed",
  "preview-credentials-rotated",
  "preview-storage-refused",
  "drift-report",
  "drift-none",
];

describe("golden review Markdown from recorded previews and refreshes", () => {
  it("every case has its recorded input and its golden Markdown, and nothing else is there", () => {
    const fixtures = readdirSync(join(golden, "fixtures")).map((file) => file.replace(/\.json$/, ""));
    const goldens = readdirSync(golden)
      .filter((file) => file.endsWith(".golden.md"))
      .map((file) => file.replace(/\.golden\.md$/, ""));
    expect(fixtures.sort()).toEqual([...CASES].sort());
    expect(goldens.sort()).toEqual([...CASES].sort());
  });

  it.each(CASES)("%s", (name) => {
    const run = readEngineRun(readFileSync(join(golden, "fixtures", `${name}.json`), "utf8"));
    const render = name.startsWith("drift") ? driftMarkdown : previewMarkdown;
    expect(render(run, "review")).toBe(readFileSync(join(golden, `${name}.golden.md`), "utf8"));
  });
});
