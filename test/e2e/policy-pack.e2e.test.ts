import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { platformStack } from "../support/platform-stack";
import type { PulumiWorkspace } from "../support/pulumi-cli";
import { repoRoot, sandbox } from "../support/sandbox";

// The policy pack as a user runs it: the real CLI previews the reference platform on a sandbox with
// `--policy-pack policy`, which the engine starts through our language host (RunPlugin).

const instance = "e2e-policy";
const pack = join(repoRoot, "policy");
let workspace: PulumiWorkspace;

beforeAll(async () => {
  expect((await sandbox(["start", "--instance", instance])).code).toBe(0);
  workspace = await platformStack({ instance, stack: "policy" });
});

afterAll(async () => {
  await workspace?.dispose();
  await sandbox(["stop", "--instance", instance]);
});

const preview = (...extra: string[]) => workspace.run(["preview", "--policy-pack", pack, ...extra]);

describe("pulumi preview --policy-pack policy", () => {
  it("passes the sandbox stack, and reports that the pack ran", async () => {
    const result = await preview();
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Policies:\s+✅ polaris-pulumi@v[\d.]+ \(local: .*policy\)/);
  });

  it("fails a grant that gives a persona CATALOG_MANAGE_CONTENT, naming the role and the fix", async () => {
    const grant = "polaris-platform:grants[0]";
    const set = (key: string, value: string) => workspace.mustRun(["config", "set", "--path", key, value]);
    await set(`${grant}.principalRole`, "data_analyst");
    await set(`${grant}.grant.type`, "catalog");
    await set(`${grant}.grant.privilege`, "CATALOG_MANAGE_CONTENT");
    const result = await preview();
    await workspace.mustRun(["config", "rm", "--path", grant]);
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stdout).toMatch(/\[mandatory\]\s+catalog-admin-privileges/);
    expect(result.stdout).toMatch(
      /principal role data_analyst gets CATALOG_MANAGE_CONTENT on catalog demo_catalog through catalog role demo_analytics/,
    );
  });

  it("applies the production rules to a stack the pack config names, at the enforcement level it sets", async () => {
    const config = join(workspace.programDir, "policy-config.json");
    const prod = { prodStacks: ["policy"] };
    await writeFile(config, JSON.stringify({ "prod-protect-catalogs": prod, "prod-management-scope": prod }));
    const mandatory = await preview("--policy-pack-config", config);
    expect(mandatory.code, mandatory.stdout).not.toBe(0);
    expect(mandatory.stdout).toMatch(
      /\[mandatory\]\s+prod-protect-catalogs\s+\(pulumi-nodejs:dynamic\/polaris:Catalog: demo_catalog\)/,
    );
    expect(mandatory.stdout).toMatch(/\[mandatory\]\s+prod-management-scope/);

    await writeFile(
      config,
      JSON.stringify({
        "prod-protect-catalogs": { ...prod, enforcementLevel: "advisory" },
        "prod-management-scope": { ...prod, enforcementLevel: "disabled" },
      }),
    );
    const advisory = await preview("--policy-pack-config", config);
    expect(advisory.code, advisory.stdout).toBe(0);
    expect(advisory.stdout).toMatch(/\[advisory\]\s+prod-protect-catalogs/);
    expect(advisory.stdout).not.toMatch(/prod-management-scope/);
  });
});
