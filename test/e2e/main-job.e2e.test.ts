import { execFile, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessLog, requestsSince } from "../support/access-log";
import { call, type PolarisSession, session } from "../support/polaris";
import { awsProbe, readEndpoints, repoRoot, sandbox } from "../support/sandbox";

const execFileAsync = promisify(execFile);

// The main job as a user runs it: ./scripts/up builds the reference platform on a sandbox (an instance of
// its own here, and a state backend of its own), ./scripts/demo uses it, engines check least privilege.

const instance = "e2e-main";
const scratch = mkdtempSync(join(tmpdir(), "main-job-"));
const env = {
  ...process.env,
  SANDBOX_INSTANCE: instance,
  PULUMI_BACKEND_URL: `file://${join(scratch, "backend")}`,
  POLARIS_SANDBOX_PASSPHRASE: "",
  PULUMI_CONFIG_PASSPHRASE: "",
  NO_COLOR: "1",
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  extraEnv: Record<string, string> = {},
  timeoutMs = 600_000,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`${command} ${args.join(" ")} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

async function timed<T>(label: string, action: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await action();
  process.stderr.write(`timing: ${label} ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

/** pulumi on the sandbox stack of this test's backend, with the sandbox's credentials in the environment. */
function pulumi(args: string[]): Promise<Run> {
  const endpoints = readEndpoints(instance);
  return run("pulumi", [...args, "--stack", "sandbox", "--non-interactive"], {
    POLARIS_URI: endpoints.POLARIS_URI!,
    POLARIS_REALM: endpoints.POLARIS_REALM!,
    POLARIS_CLIENT_ID: endpoints.POLARIS_CLIENT_ID!,
    POLARIS_CLIENT_SECRET: endpoints.POLARIS_CLIENT_SECRET!,
  });
}

type Engines = Record<"engineer" | "analyst", { pyiceberg: Record<string, string>; duckdbAttach: string }>;

describe("the main job: ./scripts/up builds the reference platform, and engines use it", () => {
  let root: PolarisSession;
  let engines: Engines;
  const home = mkdtempSync(join(tmpdir(), "no-aws-home-"));

  beforeAll(async () => {
    const up = await timed("./scripts/up from empty (warm caches)", () => run("./scripts/up", []));
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stderr).toContain("The reference platform is up on the sandbox's Polaris.");
    expect(up.stdout).toMatch(/\+ 22 created/);
    root = await session(undefined, undefined, instance);
    engines = JSON.parse(
      (await pulumi(["stack", "output", "engines", "--show-secrets", "--json"])).stdout,
    ) as Engines;
  });

  afterAll(async () => {
    await run("./scripts/down", []);
    rmSync(scratch, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  async function probe(
    persona: "engineer" | "analyst",
    actions: object[],
    properties: Record<string, string> = {},
  ) {
    const venv = readEndpoints(instance).SANDBOX_VENV!;
    const request = { properties: { ...engines[persona].pyiceberg, ...properties }, actions };
    const { stdout } = await execFileAsync(
      join(venv, "bin", "python"),
      [join(repoRoot, "test", "support", "persona_probe.py"), JSON.stringify(request)],
      { env: { PATH: process.env.PATH, HOME: home, LANG: "C.UTF-8" }, timeout: 180_000 },
    );
    return JSON.parse(stdout) as { ok: boolean; error?: string; message?: string; rows?: number }[];
  }

  it("summarises the platform without showing a secret, and a second ./scripts/up changes nothing", async () => {
    const credentials = JSON.parse(
      (await pulumi(["stack", "output", "credentials", "--show-secrets", "--json"])).stdout,
    );
    const again = await timed("./scripts/up, no change", () => run("./scripts/up", []));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/22 unchanged/);
    for (const persona of ["engineer", "analyst"]) {
      expect(again.stdout + again.stderr).not.toContain(credentials[persona].clientSecret);
    }
    const exported = (await pulumi(["stack", "export"])).stdout;
    for (const secret of [
      readEndpoints(instance).POLARIS_CLIENT_SECRET!,
      credentials.engineer.clientSecret,
      credentials.analyst.clientSecret,
    ]) {
      expect(exported.includes(secret), "no secret in plain text in the state").toBe(false);
    }
    const floe = (await pulumi(["stack", "output", "floeCatalogs"])).stdout;
    expect(floe).toContain("secret_ref: polaris-engineer-credentials");
    expect(floe).not.toContain(credentials.engineer.clientSecret);
  });

  it("./scripts/demo: the engineer writes demo.gold with pyiceberg, the analyst reads it with DuckDB, vended keys only", async () => {
    const demo = await timed("./scripts/demo", () => run("./scripts/demo", []));
    expect(demo.code, demo.stdout + demo.stderr).toBe(0);
    const result = JSON.parse(demo.stdout.trim().split("\n").pop()!) as {
      accessKeyPrefix: string;
      rows: unknown[][];
    };
    expect(result.accessKeyPrefix, "an STS session key").toBe("ASIA");
    expect(result.rows).toEqual([
      [1, "apple", 5],
      [2, "pear", 7],
      [3, "fig", 9],
    ]);
    const stored = await awsProbe<{ keys: string[] }>(
      { op: "s3_list", bucket: "warehouse", prefix: "demo_catalog/demo/gold/orders/" },
      instance,
    );
    expect(stored.keys.some((key) => key.includes("/data/") && key.endsWith(".parquet"))).toBe(true);
  });

  it("least privilege: the engineer writes only demo.gold; the analyst only reads demo.gold", async () => {
    const engineer = await probe("engineer", [
      { op: "create", table: ["demo", "gold", "engineer_t"] },
      { op: "create", table: ["demo", "silver", "nope"] },
      { op: "read", table: ["demo", "gold", "orders"] },
      { op: "list_tables", namespace: ["demo", "bronze"] },
    ]);
    expect(engineer.map((r) => r.ok)).toEqual([true, false, true, false]);
    expect(engineer[1]!.error).toBe("ForbiddenError");
    expect(engineer[3]!.error).toBe("ForbiddenError");

    const withoutDelegation = await probe(
      "engineer",
      [{ op: "create", table: ["demo", "gold", "no_keys"] }],
      {
        "header.X-Iceberg-Access-Delegation": "",
      },
    );
    expect(withoutDelegation[0]!.ok, "no vended credentials and no S3 keys: the write cannot happen").toBe(
      false,
    );

    const analyst = await probe("analyst", [
      { op: "read", table: ["demo", "gold", "orders"] },
      { op: "append", table: ["demo", "gold", "orders"] },
      { op: "create", table: ["demo", "gold", "analyst_t"] },
      { op: "create", table: ["demo", "silver", "analyst_t"] },
    ]);
    expect(analyst.map((r) => r.ok)).toEqual([true, false, false, false]);
    expect(analyst[0]!.rows).toBe(3);
    expect(analyst.slice(1).map((r) => r.error)).toEqual([
      "ForbiddenError",
      "ForbiddenError",
      "ForbiddenError",
    ]);

    const analystSession = await session(
      JSON.parse((await pulumi(["stack", "output", "credentials", "--show-secrets", "--json"])).stdout)
        .analyst.clientId,
      JSON.parse((await pulumi(["stack", "output", "credentials", "--show-secrets", "--json"])).stdout)
        .analyst.clientSecret,
      instance,
    );
    expect((await call(analystSession, "GET", "/catalogs")).status, "no management call").toBe(403);
    expect((await call(analystSession, "GET", "/principals")).status).toBe(403);
  });

  it("change flow: a namespace and a grant added in config preview exactly, apply, revert, and leave no drift", async () => {
    const config = join(scratch, "Pulumi.sandbox.yaml");
    copyFileSync(join(repoRoot, "Pulumi.sandbox.yaml"), config);
    const original = readFileSync(config, "utf8");
    writeFileSync(
      config,
      original
        .replace("polaris-platform:namespaces: []", "polaris-platform:namespaces: [demo.gold.finance]")
        .replace(
          "polaris-platform:grants: []",
          "polaris-platform:grants: [{principalRole: data_analyst, grant: {type: namespace, namespace: [demo, silver], privilege: TABLE_READ_DATA}}]",
        ),
    );
    const preview = await pulumi(["preview", "--diff", "--config-file", config]);
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(
      /\+ pulumi-nodejs:dynamic\/polaris:Namespace: \(create\)[\s\S]*demo\.gold\.finance|finance/,
    );
    expect(
      [...preview.stdout.matchAll(/^\s*([+-]) ((?:namespace|catalog|table):\S+?)\s*: \{/gm)].map(
        (m) => `${m[1]} ${m[2]}`,
      ),
    ).toEqual(["+ namespace:demo.silver:TABLE_READ_DATA"]);
    expect(preview.stdout).toMatch(/\+ 1 to create/);
    expect(preview.stdout).toMatch(/~ 1 to update/);
    expect((await pulumi(["up", "--yes", "--skip-preview", "--config-file", config])).code).toBe(0);
    expect(
      (await call(root, "GET", "/api/catalog/v1/demo_catalog/namespaces/demo%1Fgold%1Ffinance")).status,
    ).toBe(200);

    const revert = await pulumi(["preview", "--diff"]);
    expect(
      [...revert.stdout.matchAll(/^\s*([+-]) ((?:namespace|catalog|table):\S+?)\s*: \{/gm)].map(
        (m) => `${m[1]} ${m[2]}`,
      ),
    ).toEqual(["- namespace:demo.silver:TABLE_READ_DATA"]);
    expect(revert.stdout).toMatch(/- 1 to delete/);
    expect((await pulumi(["up", "--yes", "--skip-preview"])).code).toBe(0);
    const refresh = await pulumi(["refresh", "--yes", "--skip-preview"]);
    expect(refresh.stdout, "refresh finds no drift").not.toMatch(
      /^\s*[~+-]\s+pulumi-nodejs:dynamic\S+ \S+ (updated|deleted|created)/m,
    );
    expect(await pulumi(["preview", "--expect-no-changes"]).then((r) => r.code)).toBe(0);
  });

  it("a team's own project uses the package by name and the platform's outputs through a StackReference", async () => {
    const example = join(repoRoot, "examples", "team-namespace");
    const inExample = async (args: string[]) => {
      const endpoints = readEndpoints(instance);
      return run("pulumi", [...args, "--cwd", example, "--non-interactive"], {
        POLARIS_URI: endpoints.POLARIS_URI!,
        POLARIS_REALM: endpoints.POLARIS_REALM!,
        POLARIS_CLIENT_ID: endpoints.POLARIS_CLIENT_ID!,
        POLARIS_CLIENT_SECRET: endpoints.POLARIS_CLIENT_SECRET!,
      });
    };
    expect((await inExample(["stack", "init", "team"])).code).toBe(0);
    await inExample([
      "config",
      "set",
      "platformStack",
      "organization/polaris-platform/sandbox",
      "--stack",
      "team",
    ]);
    const up = await inExample(["up", "--yes", "--skip-preview", "--stack", "team"]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(/\+ 5 created/);
    const namespace = await call<{ properties: Record<string, string> }>(
      root,
      "GET",
      "/api/catalog/v1/demo_catalog/namespaces/demo%1Fgold%1Ffinance",
    );
    expect(namespace.body.properties.owner).toBe("finance");
    const credentials = JSON.parse(
      (await pulumi(["stack", "output", "credentials", "--show-secrets", "--json"])).stdout,
    );
    const analyst = await session(credentials.analyst.clientId, credentials.analyst.clientSecret, instance);
    expect(
      (await call(analyst, "GET", "/api/catalog/v1/demo_catalog/namespaces/demo%1Fgold%1Ffinance/tables"))
        .status,
    ).toBe(200);

    const destroyed = await inExample(["destroy", "--yes", "--skip-preview", "--stack", "team"]);
    expect(destroyed.code, destroyed.stdout + destroyed.stderr).toBe(0);
    expect(
      (await call(root, "GET", "/api/catalog/v1/demo_catalog/namespaces/demo%1Fgold%1Ffinance")).status,
    ).toBe(404);
    await inExample(["stack", "rm", "team", "--yes", "--force"]);
  });

  it("bad input to the main program stops before any resource, with the key and the fix", async () => {
    const typo = join(scratch, "typo.yaml");
    writeFileSync(
      typo,
      readFileSync(join(repoRoot, "Pulumi.sandbox.yaml"), "utf8").replace(
        "environment: sandbox",
        "environment: sandbx",
      ),
    );
    const typed = await pulumi(["preview", "--config-file", typo]);
    expect(typed.code).not.toBe(0);
    expect(typed.stdout + typed.stderr).toMatch(
      /polaris-platform:environment: must be one of sandbox, local, prod/,
    );

    const unknownKey = join(scratch, "unknown.yaml");
    writeFileSync(
      unknownKey,
      readFileSync(join(repoRoot, "Pulumi.sandbox.yaml"), "utf8").replace(
        "fromSandbox: true",
        "fromSandbox: true\n    bukcet: x",
      ),
    );
    const unknown = await pulumi(["preview", "--config-file", unknownKey]);
    expect(unknown.stdout + unknown.stderr).toMatch(/polaris-platform:storage: Unrecognized key.*bukcet/);

    const notRunning = await run("pulumi", ["preview", "--stack", "sandbox", "--non-interactive"], {
      SANDBOX_INSTANCE: "never-started",
    });
    expect(notRunning.code).not.toBe(0);
    expect(notRunning.stdout + notRunning.stderr).toMatch(
      /the sandbox instance "never-started" is not running .* Start it with \.\/scripts\/up/,
    );

    const wrongSecret = await run(
      "pulumi",
      ["refresh", "--stack", "sandbox", "--non-interactive", "--yes", "--skip-preview"],
      {
        ...Object.fromEntries(
          Object.entries(readEndpoints(instance)).filter(([key]) => key.startsWith("POLARIS_")),
        ),
        POLARIS_CLIENT_SECRET: "not-the-secret",
      },
    );
    expect(wrongSecret.code).not.toBe(0);
    expect(wrongSecret.stdout + wrongSecret.stderr).toMatch(
      /refused a token to client root in realm POLARIS: 401.*Check the connection's realm, clientId and clientSecret/s,
    );
    expect(
      await pulumi(["preview", "--expect-no-changes"]).then((r) => r.code),
      "nothing was half-made",
    ).toBe(0);
  });

  it("counts the requests of a no-change preview", async () => {
    const before = accessLog(instance);
    const preview = await timed("no-change preview of the platform", () =>
      pulumi(["preview", "--expect-no-changes"]),
    );
    expect(preview.code).toBe(0);
    const requests = requestsSince(before, accessLog(instance));
    expect(requests.all).toEqual([]);
  });

  it("destroy with a table still present says what to do; after the table is dropped it leaves nothing", async () => {
    const refused = await pulumi(["destroy", "--yes", "--skip-preview"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(
      /namespace demo\.gold in catalog demo_catalog is not empty.*Drop its tables/s,
    );
    // no_keys: created by the write without vended credentials, whose data never landed.
    for (const table of ["orders", "engineer_t", "no_keys"]) {
      expect(
        (await call(root, "DELETE", `/api/catalog/v1/demo_catalog/namespaces/demo%1Fgold/tables/${table}`))
          .status,
      ).toBe(204);
    }
    const destroyed = await pulumi(["destroy", "--yes", "--skip-preview", "--refresh"]);
    expect(destroyed.code, destroyed.stdout + destroyed.stderr).toBe(0);
    expect((await call(root, "GET", "/catalogs")).body).toEqual({ catalogs: [] });
    const principals = await call<{ principals: { name: string }[] }>(root, "GET", "/principals");
    expect(principals.body.principals.map((p) => p.name)).toEqual(["root"]);
    expect((await sandbox(["status", "--instance", instance])).code).toBe(0);
  });
});
