import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { motoWarehouse } from "../../support/moto-warehouse";
import { call, createS3Catalog, type PolarisSession, session, uniqueName } from "../../support/polaris";
import { awsProbe, readEndpoints } from "../../support/sandbox";

const execFileAsync = promisify(execFile);

// Clients that users run against Polaris, here against the sandbox's real server: the official CLI and
// pyiceberg with credentials that Polaris vends through moto's STS.

/** An environment with nothing AWS in it: no AWS_* variables and a HOME without ~/.aws. */
function bareEnvironment(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, LANG: "C.UTF-8" };
}

describe("engines against the sandbox's Polaris", () => {
  const endpoints = readEndpoints();
  const venv = endpoints.SANDBOX_VENV!;
  const home = mkdtempSync(join(tmpdir(), "no-aws-home-"));
  let root: PolarisSession;
  let warehouse: { bucket: string; roleArn: string };
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  beforeAll(async () => {
    root = await session();
    warehouse = await motoWarehouse(uniqueName("eng").replaceAll("_", "-"));
  });

  const createCatalog = () => createS3Catalog(root, warehouse);

  /** A principal whose principal role holds one catalog role with `privileges` on the catalog. */
  async function principalWith(catalog: string, privileges: string[]) {
    const name = uniqueName("p");
    const principal = await call<{ credentials: { clientId: string; clientSecret: string } }>(
      root,
      "POST",
      "/principals",
      {
        principal: { name },
      },
    );
    await call(root, "POST", "/principal-roles", { principalRole: { name: `${name}_role` } });
    await call(root, "POST", `/catalogs/${catalog}/catalog-roles`, { catalogRole: { name: `${name}_cr` } });
    for (const privilege of privileges) {
      const granted = await call(root, "PUT", `/catalogs/${catalog}/catalog-roles/${name}_cr/grants`, {
        grant: { type: "catalog", privilege },
      });
      expect(granted.status).toBe(201);
    }
    await call(root, "PUT", `/principal-roles/${name}_role/catalog-roles/${catalog}`, {
      catalogRole: { name: `${name}_cr` },
    });
    await call(root, "PUT", `/principals/${name}/principal-roles`, {
      principalRole: { name: `${name}_role` },
    });
    return principal.body.credentials;
  }

  async function icebergProbe(request: Record<string, unknown>) {
    const { stdout } = await execFileAsync(
      join(venv, "bin", "python"),
      [join(__dirname, "..", "..", "support", "iceberg_probe.py"), JSON.stringify(request)],
      { env: bareEnvironment(home), timeout: 120_000 },
    );
    return JSON.parse(stdout) as {
      rows?: { id: number; item: string }[];
      accessKeyPrefix?: string;
      hasSessionToken?: boolean;
      metadataLocation?: string;
      forbidden?: string;
    };
  }

  it("pyiceberg, as a granted principal, writes and reads a table with vended STS credentials only", async () => {
    const catalog = await createCatalog();
    const writer = await principalWith(catalog, [
      "TABLE_CREATE",
      "TABLE_WRITE_DATA",
      "TABLE_READ_DATA",
      "TABLE_LIST",
    ]);
    const namespace = await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces`, {
      namespace: ["sales"],
    });
    expect(namespace.status).toBe(200);

    const result = await icebergProbe({
      uri: endpoints.POLARIS_CATALOG_URI,
      warehouse: catalog,
      credential: `${writer.clientId}:${writer.clientSecret}`,
      namespace: ["sales"],
      table: "orders",
    });
    expect(result.rows).toEqual([
      { id: 1, item: "apple" },
      { id: 2, item: "pear" },
      { id: 3, item: "fig" },
    ]);
    expect(result.accessKeyPrefix, "an STS session key, vended by Polaris").toBe("ASIA");
    expect(result.hasSessionToken).toBe(true);
    expect(result.metadataLocation).toMatch(
      new RegExp(`^s3://${warehouse.bucket}/${catalog}/sales/orders/metadata/`),
    );

    const stored = await awsProbe<{ keys: string[] }>({
      op: "s3_list",
      bucket: warehouse.bucket,
      prefix: `${catalog}/sales/orders/`,
    });
    expect(stored.keys.some((key) => key.includes("/data/") && key.endsWith(".parquet"))).toBe(true);
  });

  it("pyiceberg, as a principal without grants, is refused with 403", async () => {
    const catalog = await createCatalog();
    const nobody = await principalWith(catalog, []);
    await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces`, { namespace: ["sales"] });
    const result = await icebergProbe({
      uri: endpoints.POLARIS_CATALOG_URI,
      warehouse: catalog,
      credential: `${nobody.clientId}:${nobody.clientSecret}`,
      namespace: ["sales"],
      table: "orders",
    });
    expect(result.forbidden).toMatch(/not authorized|403|Forbidden/i);
  });

  it("the official polaris CLI lists and creates entities", async () => {
    const catalog = await createCatalog();
    const cli = (...args: string[]) =>
      execFileAsync(
        join(venv, "bin", "polaris"),
        [
          "--base-url",
          new URL(endpoints.POLARIS_URI!).origin,
          "--client-id",
          endpoints.POLARIS_CLIENT_ID!,
          "--client-secret",
          endpoints.POLARIS_CLIENT_SECRET!,
          "--realm",
          endpoints.POLARIS_REALM!,
          ...args,
        ],
        { env: bareEnvironment(home), timeout: 60_000 },
      );
    const listed = await cli("catalogs", "list");
    expect(listed.stdout).toContain(`"name": "${catalog}"`);

    const role = uniqueName("cli_role");
    await cli("principal-roles", "create", role);
    await cli("catalog-roles", "create", "--catalog", catalog, `${role}_cr`);
    await cli(
      "privileges",
      "catalog",
      "grant",
      "--catalog",
      catalog,
      "--catalog-role",
      `${role}_cr`,
      "TABLE_READ_DATA",
    );
    await cli("catalog-roles", "grant", "--catalog", catalog, "--principal-role", role, `${role}_cr`);

    const grants = await call<{ grants: { privilege: string }[] }>(
      root,
      "GET",
      `/catalogs/${catalog}/catalog-roles/${role}_cr/grants`,
    );
    expect(grants.body.grants.map((grant) => grant.privilege)).toEqual(["TABLE_READ_DATA"]);
    const assigned = await call<{ roles: { name: string }[] }>(
      root,
      "GET",
      `/principal-roles/${role}/catalog-roles/${catalog}`,
    );
    expect(assigned.body.roles.map((r) => r.name)).toEqual([`${role}_cr`]);
  });
});
