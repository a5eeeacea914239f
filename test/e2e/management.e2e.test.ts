import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessLog, requestsSince } from "../support/access-log";
import { motoWarehouse } from "../support/moto-warehouse";
import { call, type PolarisSession, requestToken, session, uniqueName } from "../support/polaris";
import { PulumiWorkspace } from "../support/pulumi-cli";
import { readEndpoints, sandbox } from "../support/sandbox";

// Every management resource on one stack, run by the real pulumi CLI against a Polaris of its own (a
// dedicated sandbox instance), so that its access log counts only this stack's requests.

const programDir = join(__dirname, "management-program");
const instance = "e2e-management";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  process.stderr.write(`timing: ${label} ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

describe("management resources through the real pulumi CLI", () => {
  let workspace: PulumiWorkspace;
  let root: PolarisSession;
  let prefix: string;
  let admin: { clientId: string; clientSecret: string };
  const jsonOutputs: string[] = [];

  beforeAll(async () => {
    const started = await sandbox(["start", "--instance", instance]);
    expect(started.code, started.stderr).toBe(0);
    const endpoints = readEndpoints(instance);
    root = await session(undefined, undefined, instance);
    // The stack manages Polaris as an administrator of its own, whose credentials can be rotated.
    const created = await call<{ credentials: typeof admin }>(root, "POST", "/principals", {
      principal: { name: "stack_admin" },
    });
    admin = created.body.credentials;
    await call(root, "PUT", "/principals/stack_admin/principal-roles", {
      principalRole: { name: "service_admin" },
    });

    prefix = `${uniqueName("e2e")}_`;
    const warehouse = await motoWarehouse(prefix.replaceAll("_", "-").slice(0, -1), instance);
    workspace = await PulumiWorkspace.create(programDir, "e2e");
    await workspace.setConfig("prefix", prefix);
    await workspace.setConfig("bucket", warehouse.bucket);
    await workspace.setConfig("roleArn", warehouse.roleArn);
    await workspace.setConfig("s3Endpoint", endpoints.S3_ENDPOINT!);
    await workspace.setConfig("polaris:uri", endpoints.POLARIS_URI!);
    await workspace.setConfig("polaris:realm", endpoints.POLARIS_REALM!);
    await workspace.setConfig("polaris:clientId", admin.clientId, true);
    await workspace.setConfig("polaris:clientSecret", admin.clientSecret, true);
  });

  afterAll(async () => {
    await workspace?.dispose();
    await sandbox(["stop", "--instance", instance]);
  });

  /** The refresh/up lines for dynamic resources: "~ Namespace demo.gold", "- CatalogGrant reader-list-demo". */
  function changedResources(output: string): string[] {
    return [
      ...output.matchAll(
        /^\s*([+~-])\s+pulumi-nodejs:dynamic\/polaris:(\w+) (\S+) (?:created|updated|deleted)/gm,
      ),
    ]
      .map((match) => `${match[1]} ${match[2]} ${match[3]}`)
      .sort();
  }

  async function stackOutput(name: string): Promise<string> {
    return (await workspace.mustRun(["stack", "output", name, "--show-secrets"])).stdout.trim();
  }

  async function grantsOf(role: string): Promise<string[]> {
    const reply = await call<{ grants: { type: string; privilege: string; namespace?: string[] }[] }>(
      root,
      "GET",
      `/catalogs/${prefix}demo_catalog/catalog-roles/${role}/grants`,
    );
    return reply.body.grants
      .map((g) => [g.type, ...(g.namespace ? [g.namespace.join(".")] : []), g.privilege].join(":"))
      .sort();
  }

  let catalogAdminGrants: string[];

  it("up creates every entity, in dependency order", async () => {
    const before = accessLog(instance);
    const result = await timed("up", () => workspace.mustRun(["up", "--yes", "--skip-preview"]));
    expect(result.stdout).toMatch(/\+ 17 created/);
    const requests = requestsSince(before, accessLog(instance));
    process.stderr.write(
      `requests on up: ${requests.all.length} (${requests.writes.length} writes, ${requests.tokens} token)\n`,
    );
    expect(requests.tokens, "one token for the whole run").toBe(1);

    const catalog = `${prefix}demo_catalog`;
    expect((await call(root, "GET", `/catalogs/${catalog}`)).status).toBe(200);
    const children = await call<{ namespaces: string[][] }>(
      root,
      "GET",
      `/api/catalog/v1/${catalog}/namespaces?parent=demo`,
    );
    expect(children.body.namespaces.map((levels) => levels.join(".")).sort()).toEqual([
      "demo.gold",
      "demo.silver",
    ]);
    const roles = await call<{ roles: { name: string }[] }>(
      root,
      "GET",
      `/principal-roles/${prefix}data_engineer/catalog-roles/${catalog}`,
    );
    expect(roles.body.roles.map((role) => role.name)).toEqual(["demo_data_admin"]);
    expect(await grantsOf("demo_data_admin")).toEqual([
      "catalog:CATALOG_MANAGE_CONTENT",
      "namespace:demo.gold:TABLE_READ_DATA",
      "namespace:demo.gold:TABLE_WRITE_DATA",
    ]);
    expect(await grantsOf("demo_reader")).toEqual([
      "namespace:demo.gold:TABLE_READ_DATA",
      "namespace:demo:NAMESPACE_LIST",
    ]);
    catalogAdminGrants = await grantsOf("catalog_admin");

    const id = await stackOutput("engineerClientId");
    const secret = await stackOutput("engineerClientSecret");
    expect((await requestToken(id, secret, instance)).status, "the engineer's credentials work").toBe(200);
  });

  it("on an unchanged stack: preview --expect-no-changes exits 0, and a second up sends no request", async () => {
    const before = accessLog(instance);
    const preview = await timed("no-op preview", () =>
      workspace.run(["preview", "--expect-no-changes", "--json"]),
    );
    jsonOutputs.push(preview.stdout);
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
    const up = await timed("no-op up", () =>
      workspace.mustRun(["up", "--yes", "--expect-no-changes", "--json"]),
    );
    jsonOutputs.push(up.stdout);
    const requests = requestsSince(before, accessLog(instance));
    expect(requests.writes, "0 non-GET requests").toEqual([]);
    expect(requests.tokens, "at most 1 token request per provider process (2 processes)").toBeLessThanOrEqual(
      2,
    );
    process.stderr.write(
      `requests on the no-op preview and up: ${requests.all.length} (${requests.tokens} token)\n`,
    );
  });

  it("a change to the authoritative set previews exactly the grants added and removed", async () => {
    await workspace.setConfig("adminGrants", "b");
    const preview = await workspace.mustRun(["preview", "--diff"]);
    // The set is a map keyed by grant id, so the CLI's own diff names exactly the grants that change.
    const changed = [
      ...preview.stdout.matchAll(/^\s*([+-]) ((?:catalog|namespace|table|view|policy):\S+?)\s*: \{/gm),
    ];
    expect(changed.map((match) => `${match[1]} ${match[2]}`)).toEqual([
      "- namespace:demo.gold:TABLE_WRITE_DATA",
      "+ namespace:demo.silver:TABLE_READ_DATA",
    ]);
    expect(preview.stdout).toMatch(/~ 1 to update/);
    await workspace.mustRun(["up", "--yes", "--skip-preview"]);
    expect(await grantsOf("demo_data_admin")).toEqual([
      "catalog:CATALOG_MANAGE_CONTENT",
      "namespace:demo.gold:TABLE_READ_DATA",
      "namespace:demo.silver:TABLE_READ_DATA",
    ]);
  });

  it("refresh reports exactly the drift made out of band, up restores it, and the stack is clean again", async () => {
    const catalog = `${prefix}demo_catalog`;
    await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces/demo%1Fgold/properties`, {
      updates: { classification: "public" },
    });
    await call(root, "POST", `/catalogs/${catalog}/catalog-roles/demo_reader/grants`, {
      grant: { type: "namespace", namespace: ["demo"], privilege: "NAMESPACE_LIST" },
    });
    await call(root, "PUT", `/catalogs/${catalog}/catalog-roles/demo_data_admin/grants`, {
      grant: { type: "catalog", privilege: "CATALOG_READ_PROPERTIES" },
    });
    expect((await call(root, "DELETE", `/principal-roles/${prefix}data_engineer`)).status).toBe(204);

    const before = accessLog(instance);
    const refresh = await timed("refresh", () => workspace.mustRun(["refresh", "--yes", "--skip-preview"]));
    const requests = requestsSince(before, accessLog(instance));
    process.stderr.write(
      `requests on refresh: ${requests.all.length} (${requests.writes.length} writes, ${requests.tokens} token)\n`,
    );
    expect(
      requests.writes.filter((r) => !r.path.endsWith("/oauth/tokens")),
      "refresh only reads",
    ).toEqual([]);
    expect(changedResources(refresh.stdout)).toEqual([
      "- CatalogGrant reader-list-demo",
      "- CatalogRoleAssignment demo_data_admin-to-data_engineer",
      "- PrincipalRole data_engineer",
      "- PrincipalRoleAssignment engineer-data_engineer",
      "~ CatalogGrantSet demo_data_admin-grants",
      "~ Namespace demo.gold",
    ]);
    const id = await stackOutput("engineerClientId");
    const secret = await stackOutput("engineerClientSecret");
    expect(
      (await requestToken(id, secret, instance)).status,
      "the stored secret still works after refresh",
    ).toBe(200);

    const up = await workspace.mustRun(["up", "--yes", "--skip-preview"]);
    expect(changedResources(up.stdout)).toEqual([
      "+ CatalogGrant reader-list-demo",
      "+ CatalogRoleAssignment demo_data_admin-to-data_engineer",
      "+ PrincipalRole data_engineer",
      "+ PrincipalRoleAssignment engineer-data_engineer",
      "~ CatalogGrantSet demo_data_admin-grants",
      "~ Namespace demo.gold",
    ]);
    expect(await grantsOf("demo_data_admin")).not.toContain("catalog:CATALOG_READ_PROPERTIES");
    const clean = await workspace.run(["preview", "--expect-no-changes"]);
    expect(clean.code, clean.stdout).toBe(0);
  });

  it("a table grant whose table was dropped: refresh shows the grant gone, and up says the table is missing", async () => {
    const catalog = `${prefix}demo_catalog`;
    const created = await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces/demo%1Fgold/tables`, {
      name: "orders",
      schema: {
        type: "struct",
        "schema-id": 0,
        fields: [{ id: 1, name: "id", required: true, type: "long" }],
      },
    });
    expect(created.status).toBe(200);
    await workspace.setConfig("tableGrant", "orders");
    await workspace.mustRun(["up", "--yes", "--skip-preview"]);
    expect(await grantsOf("demo_reader")).toContain("table:demo.gold:TABLE_READ_DATA");

    expect(
      (await call(root, "DELETE", `/api/catalog/v1/${catalog}/namespaces/demo%1Fgold/tables/orders`)).status,
    ).toBe(204);
    const refresh = await workspace.mustRun(["refresh", "--yes", "--skip-preview"]);
    expect(changedResources(refresh.stdout)).toEqual(["- CatalogGrant reader-read-table"]);
    const up = await workspace.run(["up", "--yes", "--skip-preview"]);
    expect(up.code).not.toBe(0);
    expect(up.stdout + up.stderr).toMatch(
      /table demo\.gold\.orders in catalog .* does not exist\. Create it first/,
    );
    await workspace.mustRun(["config", "rm", "tableGrant"]);
    await workspace.mustRun(["up", "--yes", "--skip-preview"]);
  });

  it("destroy refuses a namespace that still holds a table, saying what to do", async () => {
    const catalog = `${prefix}demo_catalog`;
    await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces/demo%1Fsilver/tables`, {
      name: "leftover",
      schema: {
        type: "struct",
        "schema-id": 0,
        fields: [{ id: 1, name: "id", required: true, type: "long" }],
      },
    });
    const destroy = await timed("refused destroy", () =>
      workspace.run(["destroy", "--yes", "--skip-preview"]),
    );
    expect(destroy.code).not.toBe(0);
    expect(destroy.stdout + destroy.stderr).toMatch(
      /namespace demo\.silver in catalog .* is not empty.*Drop its tables/s,
    );
    const dropped = await call(
      root,
      "DELETE",
      `/api/catalog/v1/${catalog}/namespaces/demo%1Fsilver/tables/leftover`,
    );
    expect(dropped.status).toBe(204);
    const restore = await workspace.mustRun(["up", "--yes", "--skip-preview"]);
    expect(restore.code).toBe(0);
  });

  it("rotating the management credentials changes no entity; refresh then uses the new ones", async () => {
    const reset = await call<{ credentials: typeof admin }>(
      root,
      "POST",
      "/principals/stack_admin/reset",
      {},
    );
    expect(
      (await requestToken(admin.clientId, admin.clientSecret, instance)).status,
      "old secret revoked",
    ).toBe(401);
    await workspace.setConfig("polaris:clientSecret", reset.body.credentials.clientSecret, true);

    const preview = await workspace.run(["preview", "--expect-no-changes", "--diff"]);
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
    // refresh and destroy take the provider's configuration from state unless they run the program.
    const refresh = await workspace.run(["refresh", "--run-program", "--yes", "--json"]);
    jsonOutputs.push(refresh.stdout);
    expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
    expect(refresh.stdout).not.toMatch(/"op":\s*"(update|delete)"/);
    // After an up (no change) the state holds the new configuration, and a plain refresh works too.
    await workspace.mustRun(["up", "--yes", "--expect-no-changes"]);
    await workspace.mustRun(["refresh", "--yes", "--expect-no-changes"]);
  });

  it("keeps principal secrets out of state, the backend, the --json output and the provider's logs", async () => {
    const secret = (
      await workspace.mustRun(["stack", "output", "engineerClientSecret", "--show-secrets"])
    ).stdout.trim();
    const clientId = (
      await workspace.mustRun(["stack", "output", "engineerClientId", "--show-secrets"])
    ).stdout.trim();
    expect(secret.length).toBeGreaterThan(8);
    const exported = (await workspace.mustRun(["stack", "export"])).stdout;
    for (const value of [secret, clientId]) {
      expect(exported.includes(value), "stack export").toBe(false);
      for (const file of filesUnder(workspace.backendDir)) {
        expect(readFileSync(file, "latin1").includes(value), file).toBe(false);
      }
      jsonOutputs.forEach((output, index) => {
        expect(
          output.includes(value),
          `--json output #${index} holds ${value === secret ? "the secret" : "the client id"}`,
        ).toBe(false);
      });
    }
    // -v=8 is the most verbose level short of the engine's own dump of every RPC property (-v=9), which
    // upstream Pulumi writes for all values, secret or not. It includes the provider plugin's output.
    const logged = await workspace.run(["up", "--yes", "--logtostderr", "-v=8", "--logflow"]);
    expect(logged.code).toBe(0);
    expect(`${logged.stdout}${logged.stderr}`.includes(secret), "provider and engine logs").toBe(false);

    const state = JSON.parse(exported) as {
      deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] };
    };
    const sizes = state.deployment.resources
      .filter((resource) => resource.type.startsWith("pulumi-nodejs:dynamic/polaris:"))
      .map((resource) => String(resource.inputs?.__provider ?? "").length);
    expect(Math.max(...sizes), "serialized provider per resource, bytes").toBeLessThan(4096);
    process.stderr.write(`__provider sizes: ${[...new Set(sizes)].join(", ")} bytes\n`);
  });

  it("destroy leaves none of the stack's entities", async () => {
    expect(await grantsOf("catalog_admin"), "catalog_admin's grants are as Polaris made them").toEqual(
      catalogAdminGrants,
    );
    await timed("destroy", () => workspace.mustRun(["destroy", "--yes", "--skip-preview"]));
    expect((await call(root, "GET", `/catalogs/${prefix}demo_catalog`)).status).toBe(404);
    expect((await call(root, "GET", `/principals/${prefix}engineer`)).status).toBe(404);
    expect((await call(root, "GET", `/principal-roles/${prefix}data_engineer`)).status).toBe(404);
    const admins = await call<{ roles: { name: string }[] }>(
      root,
      "GET",
      "/principals/stack_admin/principal-roles",
    );
    expect(
      admins.body.roles.map((role) => role.name),
      "the built-in service_admin is untouched",
    ).toEqual(["service_admin"]);
  });
});
