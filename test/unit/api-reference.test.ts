import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = join(__dirname, "..", "..");
const typedoc = join(repoRoot, "node_modules", "typedoc", "bin", "typedoc");

// One export of each kind the check must catch, beside one it must accept.
const FIXTURE = `/** A documented function. */
export function documented(): void {}

export interface Undocumented {
  /** A documented property. */
  a: string;
}

/** Links to {@link NoSuchThing}. */
export const linked = 1;
`;

/** Runs TypeDoc with the repository's typedoc.json, pointed at a fixture instead of src/. */
function typedocOnFixture(source: string): { status: number | null; output: string } {
  const folder = mkdtempSync(join(tmpdir(), "api-reference-"));
  try {
    writeFileSync(join(folder, "index.ts"), source);
    writeFileSync(
      join(folder, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, skipLibCheck: true, types: [], lib: ["ES2022"], module: "commonjs" },
        files: ["index.ts"],
      }),
    );
    writeFileSync(
      join(folder, "typedoc.json"),
      JSON.stringify({
        extends: [join(repoRoot, "typedoc.json")],
        entryPoints: ["index.ts"],
        tsconfig: "tsconfig.json",
        // The repository's exemptions name its own reflections; unused here, they would only add warnings.
        intentionallyNotDocumented: [],
        intentionallyNotExported: [],
        emit: "none",
      }),
    );
    // From the repository, so that TypeDoc finds the markdown plugin the settings name.
    const run = spawnSync(process.execPath, [typedoc, "--options", join(folder, "typedoc.json")], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips TypeDoc's colour codes
    const output = `${run.stdout}${run.stderr}`.replace(/\u001b\[[0-9;]*m/g, "");
    return { status: run.status, output };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function markdownFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? markdownFiles(join(folder, entry.name))
      : entry.name.endsWith(".md")
        ? [join(folder, entry.name)]
        : [],
  );
}

/** Relative Markdown links whose target file does not exist. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((link) => !/^[a-z]+:/.test(link) && !link.startsWith("#"))
    .filter((link) => !existsSync(join(dirname(file), link.split("#")[0]!)))
    .map((link) => `${relative(repoRoot, file)}: ${link}`);
}

describe("the API reference check (npm run docs:check)", () => {
  it("fails on an undocumented export and on a link that does not resolve, and only on those", () => {
    const { status, output } = typedocOnFixture(FIXTURE);

    expect(status).not.toBe(0);
    expect(output).toMatch(/Undocumented \(Interface\).* does not have any documentation/);
    expect(output).toContain('Failed to resolve link to "NoSuchThing" in comment for linked');
    expect(output).toContain("Found 0 errors and 2 warnings");
  });

  it("has no broken relative link in the committed reference, nor in the README's link to it", () => {
    const files = markdownFiles(join(repoRoot, "docs", "api"));
    expect(files.length).toBeGreaterThan(50);

    expect(files.flatMap(brokenLinks)).toEqual([]);
    expect(readFileSync(join(repoRoot, "README.md"), "utf8")).toContain("](docs/api/README.md)");
    expect(brokenLinks(join(repoRoot, "README.md"))).toEqual([]);
  });
});
