import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, type LoggedRequest, startFaultProxy } from "../support/fault-proxy";
import { motoWarehouse } from "../support/moto-warehouse";
import { call, motoStorage, type PolarisSession, session, uniqueName } from "../support/polaris";
import { type CliResult, PulumiWorkspace } from "../support/pulumi-cli";
import { readEndpoints, sandbox } from "../support/sandbox";

// Two stacks of the e2e management program (its 16 resources plus an additive grant on a catalog role
// made outside both; different prefixes, a backend each) on one Polaris, driven at the same moment:
// neither may touch the other's entities, and their additive grants on the shared role live side by side.
// Then an outside edit lands between our read and our write of a catalog, a principal role, a principal
// and a namespace: the write is retried on the fresh version and the outside keys survive.
// CONCURRENCY_TRIALS sets the number of concurrent trials. Each stack talks to Polaris through a proxy of
// its own that injects no fault: it counts the stack's requests, and holds one while an outside edit
// happens.

const programDir = join(__dirname, "management-program");
const instance = "e2e-concurrency";
const trials = Number(process.env.CONCURRENCY_TRIALS ?? "1");

/** What someone outside both stacks granted on the shared role before they came. */
const BASELINE_GRANT = "catalog:CATALOG_READ_PROPERTIES";
const OUTSIDE_KEY = "outside.note";

interface Stack {
  label: "a" | "b";
  stackName: string;
  prefix: string;
  /** The catalog-level privilege this stack grants additively on the shared role. */
  sharedPrivilege: string;
  workspace: PulumiWorkspace;
  proxy: FaultProxy;
}

interface Versioned {
  entityVersion?: number;
  properties?: Record<string, string>;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function failure(label: string, result: CliResult): string {
  return `${label}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** Resolves for every party once all have arrived (or after a minute, so a lost party cannot hang the run). */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return async () => {
    arrived++;
    if (arrived === parties) release();
    await Promise.race([all, delay(60_000, undefined, { ref: false })]);
  };
}

function both<T>(stacks: Stack[], run: (stack: Stack) => Promise<T>): Promise<T[]> {
  return Promise.all(stacks.map(run));
}

describe(`two stacks on one Polaris at once (${trials} trial(s)), outside edits during up, additive grants side by side`, () => {
  let root: PolarisSession;
  let base: string;
  let sharedCatalog: string;
  const sharedRole = "shared_reader";
  let stacks: Stack[];
  let a: Stack;
  let b: Stack;

  beforeAll(async () => {
    const started = await sandbox(["start", "--instance", instance]);
    expect(started.code, started.stderr).toBe(0);
    const endpoints = readEndpoints(instance);
    root = await session(undefined, undefined, instance);
    base = uniqueName("cnc");
    const warehouse = await motoWarehouse(base.replaceAll("_", "-"), instance);

    // A catalog and a catalog role made outside both stacks, as a platform team would, with one grant.
    sharedCatalog = `${base}_shared`;
    const catalog = await call(root, "POST", "/catalogs", {
      catalog: {
        type: "INTERNAL",
        name: sharedCatalog,
        properties: { "default-base-location": `s3://${warehouse.bucket}/${sharedCatalog}/` },
        storageConfigInfo: motoStorage(warehouse.bucket, sharedCatalog, warehouse.roleArn, instance),
      },
    });
    expect(catalog.status, JSON.stringify(catalog.body)).toBe(201);
    const role = await call(root, "POST", `/catalogs/${sharedCatalog}/catalog-roles`, {
      catalogRole: { name: sharedRole },
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const [type, privilege] = BASELINE_GRANT.split(":");
    const granted = await call(root, "PUT", `/catalogs/${sharedCatalog}/catalog-roles/${sharedRole}/grants`, {
      grant: { type, privilege },
    });
    expect(granted.status, JSON.stringify(granted.body)).toBe(201);

    const target = new URL(endpoints.POLARIS_URI!).origin;
    const privileges = { a: "TABLE_LIST", b: "NAMESPACE_LIST" } as const;
    stacks = await Promise.all(
      (["a", "b"] as const).map(async (label): Promise<Stack> => {
        const stackName = `conc-${label}`;
        const proxy = await startFaultProxy({ target });
        const workspace = await PulumiWorkspace.create(programDir, stackName);
        const stack = {
          label,
          stackName,
          prefix: `${base}_${label}_`,
          sharedPrivilege: privileges[label],
          workspace,
          proxy,
        };
        const config: [string, string][] = [
          ["prefix", stack.prefix],
          ["bucket", warehouse.bucket],
          ["roleArn", warehouse.roleArn],
          ["s3Endpoint", endpoints.S3_ENDPOINT!],
          ["polaris:uri", proxy.uri],
          ["polaris:realm", endpoints.POLARIS_REALM!],
        ];
        for (const [key, value] of config) await workspace.setConfig(key, value);
        await workspace.setConfig("polaris:clientId", endpoints.POLARIS_CLIENT_ID!, true);
        await workspace.setConfig("polaris:clientSecret", endpoints.POLARIS_CLIENT_SECRET!, true);
        for (const [key, value] of Object.entries({
          catalog: sharedCatalog,
          catalogRole: sharedRole,
          privilege: stack.sharedPrivilege,
        })) {
          await workspace.mustRun(["config", "set", "--path", `sharedGrant.${key}`, value]);
        }
        return stack;
      }),
    );
    [a, b] = stacks as [Stack, Stack];
  });

  afterAll(async () => {
    for (const stack of stacks ?? []) {
      await stack.proxy.close();
      await stack.workspace.dispose();
    }
    await sandbox(["stop", "--instance", instance]);
  });

  const catalogOf = (stack: Stack) => `${stack.prefix}demo_catalog`;

  async function get<T>(path: string): Promise<T> {
    const reply = await call<T>(root, "GET", path);
    expect(reply.status, `GET ${path}: ${JSON.stringify(reply.body)}`).toBe(200);
    return reply.body;
  }

  async function grantsOf(catalog: string, role: string): Promise<string[]> {
    const reply = await get<{ grants: { type: string; privilege: string; namespace?: string[] }[] }>(
      `/catalogs/${catalog}/catalog-roles/${role}/grants`,
    );
    return reply.grants
      .map((g) => [g.type, ...(g.namespace ? [g.namespace.join(".")] : []), g.privilege].join(":"))
      .sort();
  }

  const versioned = ({ entityVersion, properties }: Versioned) => ({ entityVersion, properties });
  const namesOf = (reply: { roles: { name: string }[] }) => reply.roles.map((role) => role.name).sort();

  /** Everything Polaris holds of one stack, straight from Polaris: versions, properties, grants, assignments. */
  async function view(stack: Stack) {
    const catalog = catalogOf(stack);
    const namespaceApi = `/api/catalog/v1/${catalog}/namespaces`;
    const [catalogEntity, principalRole, principal, catalogRoles, children] = await Promise.all([
      get<Versioned>(`/catalogs/${catalog}`),
      get<Versioned>(`/principal-roles/${stack.prefix}data_engineer`),
      get<Versioned>(`/principals/${stack.prefix}engineer`),
      get<{ roles: (Versioned & { name: string })[] }>(`/catalogs/${catalog}/catalog-roles`),
      get<{ namespaces: string[][] }>(`${namespaceApi}?parent=demo`),
    ]);
    const paths = ["demo", ...children.namespaces.map((levels) => levels.join("."))].sort();
    const namespaces = Object.fromEntries(
      await Promise.all(
        paths.map(async (path) => {
          const reply = await get<{ properties: Record<string, string> }>(
            `${namespaceApi}/${path.replaceAll(".", "%1F")}`,
          );
          return [path, reply.properties] as const;
        }),
      ),
    );
    const roles = Object.fromEntries(
      await Promise.all(
        catalogRoles.roles.map(
          async (role) =>
            [role.name, { ...versioned(role), grants: await grantsOf(catalog, role.name) }] as const,
        ),
      ),
    );
    const [principalRoles, engineerCatalogRoles, serviceAdminCatalogRoles] = await Promise.all([
      get<{ roles: { name: string }[] }>(`/principals/${stack.prefix}engineer/principal-roles`),
      get<{ roles: { name: string }[] }>(
        `/principal-roles/${stack.prefix}data_engineer/catalog-roles/${catalog}`,
      ),
      get<{ roles: { name: string }[] }>(`/principal-roles/service_admin/catalog-roles/${catalog}`),
    ]);
    return {
      catalog: versioned(catalogEntity),
      principalRole: versioned(principalRole),
      principal: versioned(principal),
      catalogRoles: roles,
      namespaces,
      assignments: {
        principalRolesOfEngineer: namesOf(principalRoles),
        catalogRolesOfDataEngineer: namesOf(engineerCatalogRoles),
        catalogRolesOfServiceAdmin: namesOf(serviceAdminCatalogRoles),
      },
    };
  }
  type View = Awaited<ReturnType<typeof view>>;

  /** The view with this stack's names and owner marker abstracted, so the two stacks can be compared. */
  const abstracted = (stack: Stack, seen: View) =>
    JSON.parse(
      JSON.stringify(seen)
        .replaceAll(stack.prefix, "<prefix>")
        .replaceAll(`/${stack.stackName}/`, "/<stack>/"),
    );

  /** What the program declares for a stack, checked over REST: its names, grants, assignments, owner marks. */
  function expectDeclared(stack: Stack, seen: View) {
    const owner = (resource: string) => `management/${stack.stackName}/${resource}`;
    const label = `stack ${stack.label}`;
    expect(seen.catalog.properties, label).toMatchObject({
      owner: "platform",
      "polaris-pulumi.owner": owner("demo_catalog"),
    });
    expect(seen.principalRole.properties, label).toMatchObject({
      team: "data",
      "polaris-pulumi.owner": owner("data_engineer"),
    });
    expect(seen.principal.properties?.["polaris-pulumi.owner"], label).toBe(owner("engineer"));
    expect(Object.keys(seen.namespaces), label).toEqual(["demo", "demo.gold", "demo.silver"]);
    expect(seen.namespaces["demo.gold"], label).toMatchObject({
      classification: "internal",
      "polaris-pulumi.owner": owner("demo.gold"),
    });
    expect(Object.keys(seen.catalogRoles).sort(), label).toEqual([
      "catalog_admin",
      "demo_data_admin",
      "demo_reader",
    ]);
    expect(seen.catalogRoles.demo_data_admin!.grants, label).toEqual([
      "catalog:CATALOG_MANAGE_CONTENT",
      "namespace:demo.gold:TABLE_READ_DATA",
      "namespace:demo.gold:TABLE_WRITE_DATA",
    ]);
    expect(seen.catalogRoles.demo_reader!.grants, label).toEqual([
      "namespace:demo.gold:TABLE_READ_DATA",
      "namespace:demo:NAMESPACE_LIST",
    ]);
    expect(seen.assignments, label).toEqual({
      principalRolesOfEngineer: [`${stack.prefix}data_engineer`],
      catalogRolesOfDataEngineer: ["demo_data_admin"],
      catalogRolesOfServiceAdmin: ["catalog_admin", "demo_data_admin"],
    });
  }

  /** The names under this run's prefix in Polaris' top-level lists: both stacks' and the shared catalog. */
  async function topLevelNames() {
    const [catalogs, principals, roles] = await Promise.all([
      get<{ catalogs: { name: string }[] }>("/catalogs"),
      get<{ principals: { name: string }[] }>("/principals"),
      get<{ roles: { name: string }[] }>("/principal-roles"),
    ]);
    const ours = (entities: { name: string }[]) =>
      entities
        .map((entity) => entity.name)
        .filter((name) => name.startsWith(base))
        .sort();
    return {
      catalogs: ours(catalogs.catalogs),
      principals: ours(principals.principals),
      principalRoles: ours(roles.roles),
    };
  }

  const built = (...up: Stack[]) => ({
    catalogs: [...up.map(catalogOf), sharedCatalog].sort(),
    principals: up.map((stack) => `${stack.prefix}engineer`).sort(),
    principalRoles: up.map((stack) => `${stack.prefix}data_engineer`).sort(),
  });

  const sharedGrants = (...up: Stack[]) =>
    [BASELINE_GRANT, ...up.map((stack) => `catalog:${stack.sharedPrivilege}`)].sort();

  async function upBoth(label: string) {
    const results = await both(stacks, (stack) => stack.workspace.run(["up", "--yes", "--skip-preview"]));
    results.forEach((result, index) => {
      expect(result.code, failure(`${label}: up of stack ${stacks[index]!.label}`, result)).toBe(0);
      expect(result.stdout, `${label}: stack ${stacks[index]!.label}`).toMatch(/\+ 18 created/);
    });
  }

  async function expectNoChanges(label: string, ...which: Stack[]) {
    const results = await both(which, (stack) => stack.workspace.run(["preview", "--expect-no-changes"]));
    results.forEach((result, index) => {
      expect(result.code, failure(`${label}: preview of stack ${which[index]!.label}`, result)).toBe(0);
    });
  }

  it("runs up at the same moment on both stacks: each holds exactly what it declares, then both destroy at once", async () => {
    for (let trial = 1; trial <= trials; trial++) {
      const label = `trial ${trial}`;
      const seenAt = stacks.map(() => [] as number[]);
      const bothArrived = barrier(stacks.length);
      stacks.forEach((stack, index) => {
        stack.proxy.clear();
        // Each stack's first request waits for the other's, so that a busy machine starting one CLI a few
        // seconds late cannot turn the trial into two runs one after the other.
        stack.proxy.beforeForward({}, bothArrived, 1);
        const stamp = async () => void seenAt[index]!.push(performance.now());
        stack.proxy.beforeForward({}, stamp, Number.POSITIVE_INFINITY);
      });
      const began = performance.now();
      await upBoth(label);
      const upSeconds = seconds(began);
      // The stacks' requests must interleave, or this trial proved nothing about running at once.
      const overlapMs =
        Math.min(...seenAt.map((times) => Math.max(...times))) -
        Math.max(...seenAt.map((times) => Math.min(...times)));
      expect(overlapMs, `${label}: the two ups sent their requests at the same time`).toBeGreaterThan(0);
      const upRequests = stacks.map((stack) => stack.proxy.requests.length);

      let step = performance.now();
      await expectNoChanges(label, a, b);
      const previewSeconds = seconds(step);
      const previewRequests = stacks.map((stack, index) => stack.proxy.requests.length - upRequests[index]!);
      expect(previewRequests, `${label}: a no-change preview sends no request`).toEqual([0, 0]);

      const [seenA, seenB] = await Promise.all([view(a), view(b)]);
      expectDeclared(a, seenA!);
      expectDeclared(b, seenB!);
      // Same program, same operations: any write one stack made on the other's entities shows as a version,
      // a property or a grant that differs between the two.
      expect(abstracted(a, seenA!), `${label}: the stacks' entities are alike`).toEqual(
        abstracted(b, seenB!),
      );
      expect(await topLevelNames(), `${label}: nothing else under this run's names`).toEqual(built(a, b));
      expect(
        await grantsOf(sharedCatalog, sharedRole),
        `${label}: both additive grants beside the outside one`,
      ).toEqual(sharedGrants(a, b));

      step = performance.now();
      const destroyed = await both(stacks, (stack) =>
        stack.workspace.run(["destroy", "--yes", "--skip-preview"]),
      );
      destroyed.forEach((result, index) => {
        expect(result.code, failure(`${label}: destroy of stack ${stacks[index]!.label}`, result)).toBe(0);
        expect(result.stdout, `${label}: stack ${stacks[index]!.label}`).toMatch(/- 18 deleted/);
      });
      const destroySeconds = seconds(step);
      expect(await topLevelNames(), `${label}: no orphans`).toEqual(built());
      expect(await grantsOf(sharedCatalog, sharedRole), `${label}: the outside grant is left`).toEqual(
        sharedGrants(),
      );
      const destroyRequests = stacks.map((stack, index) => stack.proxy.requests.length - upRequests[index]!);
      process.stderr.write(
        `timing: concurrency ${label}: ${seconds(began)} s (up of both ${upSeconds} s, previews ` +
          `${previewSeconds} s, destroy of both ${destroySeconds} s); requests of a/b on up ` +
          `${upRequests.join("/")}, overlapping for ${(overlapMs / 1000).toFixed(1)} s; on destroy ` +
          `${destroyRequests.join("/")}\n`,
      );
    }
  });

  it("destroying one stack leaves the other's entities and its additive grant on the shared role untouched", async () => {
    await upBoth("second up of both");
    const before = await view(b);
    const destroyed = await a.workspace.run(["destroy", "--yes", "--skip-preview"]);
    expect(destroyed.code, failure("destroy of stack a", destroyed)).toBe(0);
    expect(await view(b), "stack b, versions and grants included").toEqual(before);
    expect(await topLevelNames()).toEqual(built(b));
    expect(await grantsOf(sharedCatalog, sharedRole)).toEqual(sharedGrants(b));
    await expectNoChanges("after the other stack's destroy", b);
  });

  it("refuses at preview an additive grant on a role that an authoritative set of the same program holds", async () => {
    // Stack a is empty now; its own demo_data_admin is held by the program's CatalogGrantSet.
    await a.workspace.mustRun(["config", "set", "--path", "sharedGrant.catalog", catalogOf(a)]);
    await a.workspace.mustRun(["config", "set", "--path", "sharedGrant.catalogRole", "demo_data_admin"]);
    a.proxy.clear();
    const preview = await a.workspace.run(["preview"]);
    expect(preview.code, failure("preview", preview)).not.toBe(0);
    expect(preview.stdout).toContain(
      `catalog role demo_data_admin in catalog ${catalogOf(a)} has grants declared by both shared-grant (additive) ` +
        "and demo_data_admin-grants (authoritative)",
    );
    expect(a.proxy.requests.length, "refused before any request").toBe(0);
  });

  /** Someone else's edit, straight at Polaris: one undeclared key added on the current version. */
  async function outsideEdit(path: string) {
    const current = await get<Versioned>(path);
    const edited = await call(root, "PUT", path, {
      currentEntityVersion: current.entityVersion,
      properties: { ...current.properties, [OUTSIDE_KEY]: "kept" },
    });
    expect(edited.status, `outside edit of ${path}: ${JSON.stringify(edited.body)}`).toBe(200);
  }

  /** The requests the proxy saw on one path, in order, e.g. ["GET 200", "PUT 409", "GET 200", "PUT 200"]. */
  const exchanges = (requests: readonly LoggedRequest[], path: RegExp) =>
    requests
      .filter((request) => path.test(request.path))
      .map((request) => `${request.method} ${request.status}`);

  it("an outside edit between our read and our write is retried on the fresh version and survives", async () => {
    // Stack b is up, so each entity below already exists and this up updates it in place.
    const catalog = catalogOf(b);
    const targets = {
      catalog: `/catalogs/${catalog}`,
      principalRole: `/principal-roles/${b.prefix}data_engineer`,
      principal: `/principals/${b.prefix}engineer`,
    };
    const gold = `/api/catalog/v1/${catalog}/namespaces/demo%1Fgold`;
    const { workspace, proxy } = b;
    await workspace.setConfig("catalogOwner", "analytics");
    await workspace.setConfig("engineerTeam", "platform");
    await workspace.mustRun(["config", "set", "--path", "engineerProperties.team", "platform"]);
    await workspace.setConfig("goldClassification", "confidential");

    proxy.clear();
    const path = (suffix: string) => new RegExp(`${suffix.replaceAll("/", "\\/")}$`);
    for (const target of Object.values(targets)) {
      proxy.beforeForward({ method: "PUT", path: path(target) }, () => outsideEdit(target));
    }
    // Namespaces carry no version in the Iceberg API: the update names only the keys it sets, so an outside
    // key survives without a retry.
    proxy.beforeForward({ method: "POST", path: path(`${gold}/properties`) }, async () => {
      const edited = await call(root, "POST", `${gold}/properties`, { updates: { [OUTSIDE_KEY]: "kept" } });
      expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    });

    const began = performance.now();
    const up = await workspace.run(["up", "--yes", "--skip-preview"]);
    expect(up.code, failure("up with outside edits", up)).toBe(0);
    expect(up.stdout).toMatch(/~ 4 updated/);
    process.stderr.write(
      `timing: concurrency outside edits: up ${seconds(began)} s, ${proxy.requests.length} requests\n`,
    );

    for (const [entity, target] of Object.entries(targets)) {
      expect(
        exchanges(proxy.requests, path(target)),
        `${entity}: our write was refused on the stale version, then sent again after a fresh read`,
      ).toEqual(["GET 200", "PUT 409", "GET 200", "PUT 200"]);
    }
    const seen = await view(b);
    expect(seen.catalog.properties).toMatchObject({ owner: "analytics", [OUTSIDE_KEY]: "kept" });
    expect(seen.principalRole.properties).toMatchObject({ team: "platform", [OUTSIDE_KEY]: "kept" });
    expect(seen.principal.properties).toMatchObject({ team: "platform", [OUTSIDE_KEY]: "kept" });
    expect(seen.namespaces["demo.gold"]).toMatchObject({
      classification: "confidential",
      [OUTSIDE_KEY]: "kept",
    });
    await expectNoChanges("after the outside edits", b);

    const destroyed = await workspace.run(["destroy", "--yes", "--skip-preview"]);
    expect(destroyed.code, failure("destroy of stack b", destroyed)).toBe(0);
    expect(await topLevelNames()).toEqual(built());
    expect(await grantsOf(sharedCatalog, sharedRole)).toEqual(sharedGrants());
  });
});
