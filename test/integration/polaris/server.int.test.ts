import { beforeAll, describe, expect, it } from "vitest";
import { motoWarehouse } from "../../support/moto-warehouse";
import {
  call,
  createS3Catalog,
  type PolarisSession,
  requestToken,
  s3CatalogBody,
  session,
  uniqueName,
} from "../../support/polaris";
import { instanceArgs, readEndpoints, sandbox } from "../../support/sandbox";

// The sandbox's real Polaris 1.4.1, checked for the behaviour the management resources rely on.

interface Catalog {
  name: string;
  entityVersion: number;
  properties: Record<string, string>;
  storageConfigInfo: { storageType: string; allowedLocations: string[] };
}

describe("the sandbox's Polaris server", () => {
  let root: PolarisSession;
  let warehouse: { bucket: string; roleArn: string };

  beforeAll(async () => {
    root = await session();
    warehouse = await motoWarehouse(uniqueName("wh").replaceAll("_", "-"));
  });

  it("reports Polaris 1.4.1 in `sandbox status`", async () => {
    const status = await sandbox(["status", ...instanceArgs()]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toMatch(/running Polaris 1\.4\.1 \(git 9569f2d24c08\) and moto/);
    expect(status.stderr, "status never prints the root secret").not.toContain(
      readEndpoints().POLARIS_CLIENT_SECRET,
    );
  });

  it("issues a token to the root principal, and 401 for a wrong secret", async () => {
    const endpoints = readEndpoints();
    const good = await requestToken(endpoints.POLARIS_CLIENT_ID!, endpoints.POLARIS_CLIENT_SECRET!);
    expect(good.status).toBe(200);
    expect(good.body.access_token).toMatch(/^ey/);
    expect(good.body.expires_in).toBeGreaterThan(0);

    const wrong = await requestToken(endpoints.POLARIS_CLIENT_ID!, "not-the-secret");
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe("unauthorized_client");
  });

  it("creates an S3 catalog on moto, refuses a duplicate, updates by entity version and refuses a stale one", async () => {
    const name = uniqueName("cat");
    const catalog = s3CatalogBody(warehouse, name);
    const created = await call<Catalog>(root, "POST", "/catalogs", { catalog });
    expect(created.status).toBe(201);
    expect(created.body.storageConfigInfo.allowedLocations).toContain(`s3://${warehouse.bucket}/${name}/`);

    expect((await call(root, "POST", "/catalogs", { catalog })).status).toBe(409);

    const current = await call<Catalog>(root, "GET", `/catalogs/${name}`);
    const version = current.body.entityVersion;
    const properties = { ...current.body.properties, owner: "platform" };
    const updated = await call<Catalog>(root, "PUT", `/catalogs/${name}`, {
      currentEntityVersion: version,
      properties,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.entityVersion).toBeGreaterThan(version);
    expect(updated.body.properties.owner).toBe("platform");

    const stale = await call(root, "PUT", `/catalogs/${name}`, {
      currentEntityVersion: version,
      properties: { ...properties, owner: "someone-else" },
    });
    expect(stale.status).toBe(409);
    expect((await call<Catalog>(root, "GET", `/catalogs/${name}`)).body.properties.owner).toBe("platform");
  });

  it("answers 404 for a catalog, principal or role that does not exist", async () => {
    expect((await call(root, "GET", "/catalogs/no_such_catalog")).status).toBe(404);
    expect((await call(root, "DELETE", "/catalogs/no_such_catalog")).status).toBe(404);
    expect((await call(root, "GET", "/principals/no_such_principal")).status).toBe(404);
    expect((await call(root, "GET", "/principal-roles/no_such_role")).status).toBe(404);
  });

  it("creates catalog role catalog_admin with its two system grants along with each catalog", async () => {
    const name = await createS3Catalog(root, warehouse);
    const roles = await call<{ roles: { name: string }[] }>(root, "GET", `/catalogs/${name}/catalog-roles`);
    expect(roles.body.roles.map((role) => role.name)).toEqual(["catalog_admin"]);
    const grants = await call<{ grants: { type: string; privilege: string }[] }>(
      root,
      "GET",
      `/catalogs/${name}/catalog-roles/catalog_admin/grants`,
    );
    expect(grants.body.grants.map((grant) => grant.privilege).sort()).toEqual([
      "CATALOG_MANAGE_ACCESS",
      "CATALOG_MANAGE_METADATA",
    ]);
  });

  it("refuses a principal without grants with 403, on the management and the catalog API", async () => {
    const name = uniqueName("nogrants");
    const created = await call<{ credentials: { clientId: string; clientSecret: string } }>(
      root,
      "POST",
      "/principals",
      {
        principal: { name },
      },
    );
    expect(created.status).toBe(201);
    const nobody = await session(created.body.credentials.clientId, created.body.credentials.clientSecret);
    expect((await call(nobody, "GET", "/catalogs")).status).toBe(403);
    expect(
      (await call(nobody, "POST", "/principal-roles", { principalRole: { name: uniqueName("r") } })).status,
    ).toBe(403);

    const catalog = await createS3Catalog(root, warehouse);
    expect((await call(nobody, "GET", `/api/catalog/v1/${catalog}/namespaces`)).status).toBe(403);
    expect((await call(root, "GET", `/api/catalog/v1/${catalog}/namespaces`)).status).toBe(200);
  });
});
