import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driftMarkdown } from "../../src/review/drift-markdown";
import { readEngineRun } from "../../src/review/engine-run";
import { previewMarkdown } from "../../src/review/preview-markdown";
import { motoWarehouse } from "../support/moto-warehouse";
import { platformStack } from "../support/platform-stack";
import { call, type PolarisSession, session } from "../support/polaris";
import { PulumiWorkspace } from "../support/pulumi-cli";
import { readEndpoints, repoRoot, sandbox } from "../support/sandbox";
import { normalizePulumiJson } from "../unit/review/normalize";

// The review commands (scripts/preview-comment, scripts/drift-report) on real previews and refreshes of the
// reference platform and of the management program, on a sandbox instance of their own. Each case's
// Markdown must equal its golden file in test/e2e/golden/; UPDATE_GOLDEN=1 writes the goldens and the
// normalized Pulumi JSON they come from (test/e2e/golden/fixtures/, rendered again by the unit tests).

const instance = "e2e-review";
const goldenDir = join(__dirname, "golden");
const updateGolden = process.env.UPDATE_GOLDEN === "1";
const managementProgram = join(__dirname, "management-program");

interface ReviewResult {
  code: number;
  markdown: string;
  /** The JSON Pulumi printed, as the command read it. */
  raw: string;
  stderr: string;
}

let scratch: string;

async function review(
  command: "preview-comment" | "drift-report",
  workspace: PulumiWorkspace,
): Promise<ReviewResult> {
  const output = join(scratch, `${command}.md`);
  const raw = join(scratch, `${command}.json`);
  await rm(output, { force: true });
  const args = [
    ...["--stack", workspace.stack, "--cwd", workspace.programDir],
    ...["--dry-run", "--output", output, "--save-input", raw],
  ];
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      join(repoRoot, "scripts", command),
      args,
      { env: workspace.env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, _stdout, stderrText) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code: exitCode, stderr: stderrText });
      },
    );
  });
  if (!existsSync(output)) throw new Error(`${command} wrote no Markdown (exit ${code}):\n${stderr}`);
  return { code, markdown: await readFile(output, "utf8"), raw: await readFile(raw, "utf8"), stderr };
}

/** The Markdown equals the golden file; normalizing the input for the fixture changes nothing in it. */
async function expectGolden(name: string, result: ReviewResult, secrets: string[]) {
  const render = name.startsWith("drift") ? driftMarkdown : previewMarkdown;
  const fixture = normalizePulumiJson(result.raw);
  expect(render(readEngineRun(fixture), "review"), "the Markdown of the normalized input").toBe(
    result.markdown,
  );
  for (const secret of secrets) {
    expect(result.markdown.includes(secret), `${name}: a secret value in the Markdown`).toBe(false);
    expect(result.raw.includes(secret), `${name}: a secret value in Pulumi's JSON`).toBe(false);
  }
  const golden = join(goldenDir, `${name}.golden.md`);
  if (updateGolden) {
    await mkdir(join(goldenDir, "fixtures"), { recursive: true });
    await writeFile(join(goldenDir, "fixtures", `${name}.json`), fixture);
    await writeFile(golden, result.markdown);
    return;
  }
  expect(existsSync(golden), `${golden} is missing: run this test with UPDATE_GOLDEN=1 and review it`).toBe(
    true,
  );
  expect(result.markdown).toBe(await readFile(golden, "utf8"));
}

describe("review Markdown from real previews and refreshes", () => {
  let platform: PulumiWorkspace;
  let management: PulumiWorkspace | undefined;
  let root: PolarisSession;
  const secrets: string[] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "polaris-review-"));
    const started = await sandbox(["start", "--instance", instance]);
    expect(started.code, started.stderr).toBe(0);
    root = await session(undefined, undefined, instance);
    secrets.push(readEndpoints(instance).POLARIS_CLIENT_SECRET!);
  });

  afterAll(async () => {
    await platform?.dispose();
    await management?.dispose();
    await sandbox(["stop", "--instance", instance]);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  describe("the reference platform (stacks/index.ts, sandbox config)", () => {
    let configFile: string;
    let baseConfig: string;

    /** Runs `change` on the stack's config for one preview, then puts the config back. */
    async function withConfig<T>(change: (text: string) => Promise<void> | void, run: () => Promise<T>) {
      await change(baseConfig);
      try {
        return await run();
      } finally {
        await writeFile(configFile, baseConfig);
      }
    }

    function replaced(text: string, line: string, by: string): string {
      if (!text.includes(line)) throw new Error(`the sandbox config no longer holds "${line}"`);
      return text.replace(line, by);
    }

    beforeAll(async () => {
      platform = await platformStack({ instance, stack: "review" });
      configFile = join(platform.programDir, "Pulumi.review.yaml");
      // The analyst also reads demo.silver, so that one case can remove that grant again.
      baseConfig = replaced(
        await readFile(configFile, "utf8"),
        "  polaris-platform:grants: []",
        [
          "  polaris-platform:grants:",
          "    - principalRole: data_analyst",
          "      grant: { type: namespace, namespace: [demo, silver], privilege: TABLE_READ_DATA }",
        ].join("\n"),
      );
      await writeFile(configFile, baseConfig);
      await platform.mustRun(["up", "--yes", "--skip-preview"]);
      const credentials = JSON.parse(
        (await platform.mustRun(["stack", "output", "credentials", "--show-secrets", "--json"])).stdout,
      ) as Record<string, { clientId: string; clientSecret: string }>;
      for (const pair of Object.values(credentials)) secrets.push(pair.clientSecret, pair.clientId);
    });

    it("a namespace added: one Namespace to create", async () => {
      const result = await withConfig(
        (text) =>
          writeFile(
            configFile,
            replaced(
              text,
              "  polaris-platform:namespaces: []",
              "  polaris-platform:namespaces: [demo.gold.finance]",
            ),
          ),
        () => review("preview-comment", platform),
      );
      expect(result.code, result.stderr).toBe(0);
      await expectGolden("preview-namespace-added", result, secrets);
    });

    it("a grant removed: the analyst's catalog role loses TABLE_READ_DATA on demo.silver", async () => {
      const result = await withConfig(
        (text) =>
          writeFile(
            configFile,
            replaced(
              text,
              / {2}polaris-platform:grants:\n(?: {4}.*\n)+/.exec(text)![0],
              "  polaris-platform:grants: []\n",
            ),
          ),
        () => review("preview-comment", platform),
      );
      expect(result.code, result.stderr).toBe(0);
      await expectGolden("preview-grant-removed", result, secrets);
    });

    it("a catalog's storage change that Polaris refuses fails the preview, and the Markdown says why", async () => {
      const result = await withConfig(
        () =>
          platform
            .mustRun([
              "config",
              "set",
              "--path",
              "polaris-platform:storage.roleArn",
              "arn:aws:iam::999999999999:role/polaris/catalog/polaris-vending",
            ])
            .then(() => undefined),
        () => review("preview-comment", platform),
      );
      expect(result.code, "the command fails with the preview").toBe(1);
      await expectGolden("preview-storage-refused", result, secrets);
    });
  });

  describe("the management program (every resource, additive grants, a rotation key)", () => {
    beforeAll(async () => {
      const endpoints = readEndpoints(instance);
      const warehouse = await motoWarehouse("rv-review", instance);
      management = await PulumiWorkspace.create(managementProgram, "review");
      await management.setConfig("prefix", "rv_");
      await management.setConfig("bucket", warehouse.bucket);
      await management.setConfig("roleArn", warehouse.roleArn);
      await management.setConfig("s3Endpoint", endpoints.S3_ENDPOINT!);
      await management.setConfig("polaris:uri", endpoints.POLARIS_URI!);
      await management.setConfig("polaris:realm", endpoints.POLARIS_REALM!);
      await management.setConfig("polaris:clientId", endpoints.POLARIS_CLIENT_ID!, true);
      await management.setConfig("polaris:clientSecret", endpoints.POLARIS_CLIENT_SECRET!, true);
      await management.mustRun(["up", "--yes", "--skip-preview"]);
      secrets.push(
        (
          await management.mustRun(["stack", "output", "engineerClientSecret", "--show-secrets"])
        ).stdout.trim(),
      );
    });

    it("a principal's credentials rotated: the preview says they are reset, and shows no secret", async () => {
      await management!.setConfig("engineerRotation", "2026-q4");
      try {
        const result = await review("preview-comment", management!);
        expect(result.code, result.stderr).toBe(0);
        await expectGolden("preview-credentials-rotated", result, secrets);
      } finally {
        await management!.mustRun(["config", "rm", "engineerRotation"]);
      }
    });

    it("the drift report lists exactly the four out-of-band changes and the assignments of the deleted role", async () => {
      const catalog = "rv_demo_catalog";
      const edits = [
        await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces/demo%1Fgold/properties`, {
          updates: { classification: "public" },
        }),
        // POST revokes: the additive grant reader-list-demo disappears from its role.
        await call(root, "POST", `/catalogs/${catalog}/catalog-roles/demo_reader/grants`, {
          grant: { type: "namespace", namespace: ["demo"], privilege: "NAMESPACE_LIST" },
        }),
        // PUT grants: an extra grant on a role whose grants an authoritative set holds.
        await call(root, "PUT", `/catalogs/${catalog}/catalog-roles/demo_data_admin/grants`, {
          grant: { type: "catalog", privilege: "CATALOG_READ_PROPERTIES" },
        }),
        await call(root, "DELETE", "/principal-roles/rv_data_engineer"),
      ];
      expect(edits.map((reply) => reply.status)).toEqual([200, 201, 201, 204]);

      const stateBefore = (await management!.mustRun(["stack", "export"])).stdout;
      const result = await review("drift-report", management!);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/drift of review: 6 entities changed outside Pulumi/);
      await expectGolden("drift-report", result, secrets);
      expect((await management!.mustRun(["stack", "export"])).stdout, "the state is left alone").toBe(
        stateBefore,
      );
    });

    it("after up --refresh puts the declared state back, the drift report finds none", async () => {
      // The report's refresh wrote nothing to the state, so only an up that refreshes first sees the drift.
      await management!.mustRun(["up", "--refresh", "--yes", "--skip-preview"]);
      const result = await review("drift-report", management!);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/drift of review: no drift/);
      await expectGolden("drift-none", result, secrets);
    });
  });
});
