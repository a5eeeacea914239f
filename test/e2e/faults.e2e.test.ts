import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../support/fault-proxy";
import { motoWarehouse } from "../support/moto-warehouse";
import { call, type PolarisSession, session, uniqueName } from "../support/polaris";
import { PulumiWorkspace } from "../support/pulumi-cli";
import { readEndpoints, sandbox } from "../support/sandbox";

// The e2e management stack (every resource kind, 16 resources) driven through the fault-injecting proxy:
// 20% 503s, 5% connection resets (half before Polaris sees the request, half after it applied it) and up
// to 200 ms of jitter. Every run must converge, leave a clean preview, and leave no orphan and no
// duplicate, verified over REST straight at Polaris. FAULT_RUNS sets the number of runs of each kind.

const programDir = join(__dirname, "management-program");
const instance = "e2e-faults";
const runs = Number(process.env.FAULT_RUNS ?? "3");

describe(`the management stack converges through faults (${runs} runs from empty, ${runs} on a half-built stack)`, () => {
  let workspace: PulumiWorkspace;
  let proxy: FaultProxy;
  let root: PolarisSession;
  let prefix: string;

  beforeAll(async () => {
    expect((await sandbox(["start", "--instance", instance])).code).toBe(0);
    const endpoints = readEndpoints(instance);
    root = await session(undefined, undefined, instance);
    proxy = await startFaultProxy({
      target: new URL(endpoints.POLARIS_URI!).origin,
      seed: 20261122,
      rates: {
        unavailable: 0.2,
        resetBeforeForward: 0.025,
        resetAfterResponse: 0.025,
        jitterMs: 200,
        retryAfterSeconds: 0,
      },
    });
    prefix = `${uniqueName("flt")}_`;
    const warehouse = await motoWarehouse(prefix.replaceAll("_", "-").slice(0, -1), instance);
    workspace = await PulumiWorkspace.create(programDir, "faults");
    await workspace.setConfig("prefix", prefix);
    await workspace.setConfig("bucket", warehouse.bucket);
    await workspace.setConfig("roleArn", warehouse.roleArn);
    await workspace.setConfig("s3Endpoint", endpoints.S3_ENDPOINT!);
    await workspace.setConfig("polaris:uri", proxy.uri);
    await workspace.setConfig("polaris:realm", endpoints.POLARIS_REALM!);
    await workspace.setConfig("polaris:clientId", endpoints.POLARIS_CLIENT_ID!, true);
    await workspace.setConfig("polaris:clientSecret", endpoints.POLARIS_CLIENT_SECRET!, true);
  });

  afterAll(async () => {
    process.stderr.write(
      `fault proxy: ${proxy?.requests.length} requests; 503: ${proxy?.count({ outcome: "status-503" })}, reset before: ` +
        `${proxy?.count({ outcome: "reset-before-forward" })}, reset after: ${proxy?.count({ outcome: "reset-after-response" })}\n`,
    );
    await proxy?.close();
    await workspace?.dispose();
    await sandbox(["stop", "--instance", instance]);
  });

  /** What Polaris holds of this stack, counted by name, straight from Polaris. */
  async function entities() {
    const catalogs = await call<{ catalogs: { name: string }[] }>(root, "GET", "/catalogs");
    const principals = await call<{ principals: { name: string }[] }>(root, "GET", "/principals");
    const roles = await call<{ roles: { name: string }[] }>(root, "GET", "/principal-roles");
    const ours = (names: string[]) => names.filter((name) => name.startsWith(prefix)).sort();
    const catalog = `${prefix}demo_catalog`;
    const exists = catalogs.body.catalogs.some((c) => c.name === catalog);
    const namespaces = exists
      ? (
          await call<{ namespaces: string[][] }>(
            root,
            "GET",
            `/api/catalog/v1/${catalog}/namespaces?parent=demo`,
          )
        ).body.namespaces
          .map((levels) => levels.join("."))
          .sort()
      : [];
    const catalogRoles = exists
      ? (
          await call<{ roles: { name: string }[] }>(root, "GET", `/catalogs/${catalog}/catalog-roles`)
        ).body.roles
          .map((r) => r.name)
          .sort()
      : [];
    return {
      catalogs: ours(catalogs.body.catalogs.map((c) => c.name)),
      principals: ours(principals.body.principals.map((p) => p.name)),
      principalRoles: ours(roles.body.roles.map((r) => r.name)),
      namespaces,
      catalogRoles,
    };
  }

  const built = () => ({
    catalogs: [`${prefix}demo_catalog`],
    principals: [`${prefix}engineer`],
    principalRoles: [`${prefix}data_engineer`],
    namespaces: ["demo.gold", "demo.silver"],
    catalogRoles: ["catalog_admin", "demo_data_admin", "demo_reader"],
  });
  const empty = { catalogs: [], principals: [], principalRoles: [], namespaces: [], catalogRoles: [] };

  async function converge(label: string) {
    const up = await workspace.run(["up", "--yes", "--skip-preview"]);
    expect(up.code, `${label}: up\n${up.stdout}\n${up.stderr}`).toBe(0);
    const preview = await workspace.run(["preview", "--expect-no-changes"]);
    expect(preview.code, `${label}: the next preview shows no change\n${preview.stdout}`).toBe(0);
    expect(await entities(), `${label}: exactly the declared entities, none twice`).toEqual(built());
    const destroy = await workspace.run(["destroy", "--yes", "--skip-preview"]);
    expect(destroy.code, `${label}: destroy\n${destroy.stdout}\n${destroy.stderr}`).toBe(0);
    expect(await entities(), `${label}: no orphans`).toEqual(empty);
  }

  it("converges from empty on every run", async () => {
    for (let run = 1; run <= runs; run++) await converge(`run ${run} from empty`);
  });

  it("converges on a half-built stack on every run", async () => {
    for (let run = 1; run <= runs; run++) {
      const state = await workspace.run([
        "up",
        "--yes",
        "--skip-preview",
        "--target",
        `urn:pulumi:faults::management::pulumi-nodejs:dynamic/polaris:Catalog::demo_catalog`,
      ]);
      expect(state.code, state.stdout + state.stderr).toBe(0);
      await converge(`run ${run} on a half-built stack`);
    }
  });
});
