import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Catalog,
  closeHttpPools,
  PolarisApiError,
  PolarisAuthenticationError,
  PolarisClient,
  type PolarisConnection,
  TokenCache,
} from "../../../src/polaris/client";
import { motoWarehouse } from "../../support/moto-warehouse";
import { s3CatalogBody, uniqueName } from "../../support/polaris";
import { readEndpoints } from "../../support/sandbox";

// Every typed method of the client against the sandbox's real Polaris 1.4.1, and the errors it raises.

function rootConnection(): PolarisConnection {
  const endpoints = readEndpoints();
  return {
    uri: endpoints.POLARIS_URI!,
    realm: endpoints.POLARIS_REALM,
    clientId: endpoints.POLARIS_CLIENT_ID!,
    clientSecret: endpoints.POLARIS_CLIENT_SECRET!,
  };
}

async function apiError(promise: Promise<unknown>): Promise<PolarisApiError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PolarisApiError);
  return error as PolarisApiError;
}

describe("PolarisClient against the real Polaris", () => {
  let polaris: PolarisClient;
  let warehouse: { bucket: string; roleArn: string };
  let catalog: string;

  beforeAll(async () => {
    polaris = new PolarisClient(rootConnection());
    warehouse = await motoWarehouse(uniqueName("client").replaceAll("_", "-"));
    catalog = uniqueName("client_cat");
    await polaris.createCatalog(s3CatalogBody(warehouse, catalog) as Catalog);
  });

  afterAll(async () => {
    await closeHttpPools();
  });

  it("creates, reads, lists, updates and deletes a catalog, refusing a stale entity version", async () => {
    const name = uniqueName("crud_cat");
    const created = await polaris.createCatalog(s3CatalogBody(warehouse, name) as Catalog);
    expect(created).toMatchObject({ name, type: "INTERNAL", entityVersion: 1 });
    expect(created.storageConfigInfo.allowedLocations).toContain(`s3://${warehouse.bucket}/${name}/`);

    expect((await polaris.listCatalogs()).map((listed) => listed.name)).toContain(name);
    const read = await polaris.getCatalog(name);
    const updated = await polaris.updateCatalog(name, {
      currentEntityVersion: read.entityVersion,
      properties: { ...read.properties, owner: "platform" },
    });
    expect(updated.properties.owner).toBe("platform");
    expect(updated.entityVersion).toBeGreaterThan(read.entityVersion!);

    const stale = await apiError(
      polaris.updateCatalog(name, { currentEntityVersion: read.entityVersion, properties: read.properties }),
    );
    expect(stale).toMatchObject({ status: 409, operation: "update catalog", entity: `catalog ${name}` });

    await polaris.deleteCatalog(name);
    const gone = await apiError(polaris.getCatalog(name));
    expect(gone).toMatchObject({
      status: 404,
      operation: "get catalog",
      entity: `catalog ${name}`,
      polarisType: "NotFoundException",
      polarisMessage: `TopLevelEntity of type CATALOG does not exist: ${name}`,
    });
    expect(gone.message).toContain(
      `get catalog ${name}: 404 Not Found: TopLevelEntity of type CATALOG does not exist: ${name}`,
    );
  });

  it("names the operation, the entity and Polaris' reason in a 409 for a duplicate", async () => {
    const error = await apiError(polaris.createCatalog(s3CatalogBody(warehouse, catalog) as Catalog));
    expect(error.status).toBe(409);
    expect(error.polarisType).toBe("AlreadyExistsException");
    expect(error.message).toMatch(new RegExp(`^create catalog ${catalog}: 409 Conflict: .*${catalog}`));
  });

  it("raises a typed 400 for a privilege Polaris does not know, and for a catalog that still has a namespace", async () => {
    const role = uniqueName("bad_grant_role");
    await polaris.createCatalogRole(catalog, { name: role });
    const badPrivilege = await apiError(
      polaris.addGrant(catalog, role, { type: "catalog", privilege: "NO_SUCH_PRIVILEGE" as "TABLE_LIST" }),
    );
    expect(badPrivilege).toMatchObject({ status: 400, operation: "add grant" });
    expect(badPrivilege.message).toMatch(
      new RegExp(
        `^add grant NO_SUCH_PRIVILEGE on the catalog to catalog role ${role} in catalog ${catalog}: 400 Bad Request`,
      ),
    );

    const busy = uniqueName("busy_cat");
    await polaris.createCatalog(s3CatalogBody(warehouse, busy) as Catalog);
    await polaris.createNamespace(busy, ["keep"]);
    const notEmpty = await apiError(polaris.deleteCatalog(busy));
    expect(notEmpty).toMatchObject({ status: 400, operation: "delete catalog", entity: `catalog ${busy}` });
    expect(notEmpty.polarisMessage).toMatch(/not empty/i);
  });

  it("creates a principal with credentials, updates it, resets and rotates its secret, and deletes it", async () => {
    const name = uniqueName("crud_principal");
    const created = await polaris.createPrincipal({ name, properties: { team: "data" } });
    expect(created.principal.name).toBe(name);
    expect(created.credentials.clientId).toBe(created.principal.clientId);
    expect(created.credentials.clientSecret).toMatch(/^\S{8,}$/);

    const read = await polaris.getPrincipal(name);
    const updated = await polaris.updatePrincipal(name, {
      currentEntityVersion: read.entityVersion!,
      properties: { team: "platform" },
    });
    expect(updated.properties).toEqual({ team: "platform" });
    expect((await polaris.listPrincipals()).map((principal) => principal.name)).toContain(name);

    // A caller-chosen secret, which the principal can then log in with.
    const chosen = { clientId: uniqueName("cid"), clientSecret: `s${uniqueName("secret")}`.padEnd(32, "x") };
    const reset = await polaris.resetPrincipalCredentials(name, chosen);
    expect(reset.credentials).toEqual(chosen);
    const self = new PolarisClient({ ...rootConnection(), ...chosen });

    // Polaris lets only the principal itself rotate; root is refused.
    expect((await apiError(polaris.rotatePrincipalCredentials(name))).status).toBe(403);
    const rotated = await self.rotatePrincipalCredentials(name);
    expect(rotated.credentials.clientId).toBe(chosen.clientId);
    expect(rotated.credentials.clientSecret).not.toBe(chosen.clientSecret);

    // The old secret no longer gets a token, and the error never repeats it.
    // Polaris keeps the previous secret as a secondary one after a rotation, so both authenticate (403 for a
    // principal without grants, not 401); a reset replaces both.
    const withSecret = (clientSecret: string) =>
      new PolarisClient({ ...rootConnection(), ...chosen, clientSecret }, { tokenCache: new TokenCache() });
    expect((await apiError(withSecret(rotated.credentials.clientSecret).listCatalogs())).status).toBe(403);
    expect((await apiError(withSecret(chosen.clientSecret).listCatalogs())).status).toBe(403);
    await polaris.resetPrincipalCredentials(name, {
      ...chosen,
      clientSecret: chosen.clientSecret.replace(/^s/, "t"),
    });
    const stale = await withSecret(rotated.credentials.clientSecret)
      .listCatalogs()
      .catch((e) => e);
    expect(stale).toBeInstanceOf(PolarisAuthenticationError);
    expect(stale.cause).toMatchObject({
      status: 401,
      operation: "request a token",
      entity: `for client ${chosen.clientId}`,
    });
    expect(stale.message).toMatch(
      /^list catalogs: Polaris at \S+ refused a token to client \S+ in realm POLARIS: 401/,
    );
    expect(stale.message).not.toContain(rotated.credentials.clientSecret);

    await polaris.deletePrincipal(name);
    expect((await apiError(polaris.getPrincipal(name))).status).toBe(404);
  });

  it("creates, updates, lists and deletes principal roles and catalog roles", async () => {
    const principalRole = uniqueName("crud_prole");
    expect(await polaris.createPrincipalRole({ name: principalRole })).toMatchObject({
      name: principalRole,
      entityVersion: 1,
    });
    const readRole = await polaris.getPrincipalRole(principalRole);
    const updatedRole = await polaris.updatePrincipalRole(principalRole, {
      currentEntityVersion: readRole.entityVersion!,
      properties: { purpose: "readers" },
    });
    expect(updatedRole.properties).toEqual({ purpose: "readers" });
    expect((await polaris.listPrincipalRoles()).map((role) => role.name)).toContain(principalRole);

    const catalogRole = uniqueName("crud_crole");
    await polaris.createCatalogRole(catalog, { name: catalogRole, properties: { a: "1" } });
    const readCatalogRole = await polaris.getCatalogRole(catalog, catalogRole);
    expect(readCatalogRole.properties).toEqual({ a: "1" });
    const updatedCatalogRole = await polaris.updateCatalogRole(catalog, catalogRole, {
      currentEntityVersion: readCatalogRole.entityVersion!,
      properties: { a: "2" },
    });
    expect(updatedCatalogRole.properties).toEqual({ a: "2" });
    expect((await polaris.listCatalogRoles(catalog)).map((role) => role.name)).toEqual(
      expect.arrayContaining(["catalog_admin", catalogRole]),
    );

    await polaris.deleteCatalogRole(catalog, catalogRole);
    const gone = await apiError(polaris.getCatalogRole(catalog, catalogRole));
    expect(gone).toMatchObject({ status: 404, entity: `catalog role ${catalogRole} in catalog ${catalog}` });
    await polaris.deletePrincipalRole(principalRole);
    expect((await apiError(polaris.getPrincipalRole(principalRole))).status).toBe(404);
  });

  it("assigns and revokes principal roles and catalog roles, seen from both sides", async () => {
    const principal = uniqueName("assign_principal");
    const principalRole = uniqueName("assign_prole");
    const catalogRole = uniqueName("assign_crole");
    await polaris.createPrincipal({ name: principal });
    await polaris.createPrincipalRole({ name: principalRole });
    await polaris.createCatalogRole(catalog, { name: catalogRole });

    await polaris.assignPrincipalRole(principal, principalRole);
    await polaris.assignPrincipalRole(principal, principalRole); // twice is fine
    expect((await polaris.listPrincipalRolesOfPrincipal(principal)).map((role) => role.name)).toEqual([
      principalRole,
    ]);
    expect((await polaris.listPrincipalsWithRole(principalRole)).map((p) => p.name)).toEqual([principal]);

    await polaris.assignCatalogRole(principalRole, catalog, catalogRole);
    expect(
      (await polaris.listCatalogRolesOfPrincipalRole(principalRole, catalog)).map((role) => role.name),
    ).toEqual([catalogRole]);
    expect(
      (await polaris.listPrincipalRolesWithCatalogRole(catalog, catalogRole)).map((role) => role.name),
    ).toEqual([principalRole]);

    await polaris.revokeCatalogRole(principalRole, catalog, catalogRole);
    expect(await polaris.listCatalogRolesOfPrincipalRole(principalRole, catalog)).toEqual([]);
    await polaris.revokePrincipalRole(principal, principalRole);
    expect(await polaris.listPrincipalRolesOfPrincipal(principal)).toEqual([]);

    const again = await apiError(polaris.revokePrincipalRole(principal, principalRole));
    expect(again).toMatchObject({
      status: 400,
      polarisType: "GRANT_NOT_FOUND",
      operation: "revoke principal role",
    });
  });

  it("adds, lists and revokes grants of each level that needs no table", async () => {
    const role = uniqueName("grant_crole");
    await polaris.createCatalogRole(catalog, { name: role });
    await polaris.createNamespace(catalog, [role]);

    await polaris.addGrant(catalog, role, { type: "catalog", privilege: "TABLE_LIST" });
    await polaris.addGrant(catalog, role, { type: "catalog", privilege: "TABLE_LIST" }); // twice is fine
    await polaris.addGrant(catalog, role, {
      type: "namespace",
      namespace: [role],
      privilege: "TABLE_READ_DATA",
    });
    expect(await polaris.listGrants(catalog, role)).toEqual(
      expect.arrayContaining([
        { type: "catalog", privilege: "TABLE_LIST" },
        { type: "namespace", namespace: [role], privilege: "TABLE_READ_DATA" },
      ]),
    );
    expect(await polaris.listGrants(catalog, role)).toHaveLength(2);

    const missingTable = await apiError(
      polaris.addGrant(catalog, role, {
        type: "table",
        namespace: [role],
        tableName: "nope",
        privilege: "TABLE_READ_DATA",
      }),
    );
    expect(missingTable.status).toBe(404);
    expect(missingTable.message).toContain(
      `add grant TABLE_READ_DATA on table ${role}.nope to catalog role ${role}`,
    );

    await polaris.revokeGrant(catalog, role, { type: "catalog", privilege: "TABLE_LIST" });
    expect(await polaris.listGrants(catalog, role)).toEqual([
      { type: "namespace", namespace: [role], privilege: "TABLE_READ_DATA" },
    ]);
  });

  it("creates, reads, lists, updates and deletes multi-level namespaces", async () => {
    const top = uniqueName("ns");
    const created = await polaris.createNamespace(catalog, [top], { owner: "a", stale: "x" });
    // Polaris adds a location nobody declared.
    expect(created.properties).toMatchObject({ owner: "a", location: expect.stringContaining(top) });
    const child = await polaris.createNamespace(catalog, [top, "eu west"]);
    expect(child.namespace).toEqual([top, "eu west"]);
    expect((await polaris.getNamespace(catalog, [top, "eu west"])).namespace).toEqual([top, "eu west"]);

    expect(await polaris.listNamespaces(catalog)).toContainEqual([top]);
    expect(await polaris.listNamespaces(catalog, { parent: [top] })).toEqual([[top, "eu west"]]);

    // Polaris 1.4.1 mishandles removals and updates in one request; the client must still do both.
    const change = await polaris.updateNamespaceProperties(catalog, [top], {
      removals: ["stale", "never-set"],
      updates: { owner: "b", extra: "1" },
    });
    expect(change.removed).toEqual(["stale"]);
    expect(change.missing).toEqual(["never-set"]);
    expect(change.updated.sort()).toEqual(["extra", "owner"]);
    const { properties } = await polaris.getNamespace(catalog, [top]);
    expect(properties).toMatchObject({ owner: "b", extra: "1" });
    expect(properties).not.toHaveProperty("stale");

    const notEmpty = await apiError(polaris.deleteNamespace(catalog, [top]));
    expect(notEmpty).toMatchObject({ status: 409, entity: `namespace ${top} in catalog ${catalog}` });
    await polaris.deleteNamespace(catalog, [top, "eu west"]);
    await polaris.deleteNamespace(catalog, [top]);
    expect((await apiError(polaris.getNamespace(catalog, [top]))).status).toBe(404);
  });

  it("answers the default server's namespace list in one page, which is all 1.4.1 gives without the feature flag", async () => {
    const names = [uniqueName("page_a"), uniqueName("page_b"), uniqueName("page_c")];
    const pageCatalog = uniqueName("page_cat");
    await polaris.createCatalog(s3CatalogBody(warehouse, pageCatalog) as Catalog);
    for (const name of names) await polaris.createNamespace(pageCatalog, [name]);
    const all = await polaris.listNamespaces(pageCatalog, { pageSize: 1 });
    expect(all.sort()).toEqual(names.map((name) => [name]).sort());
  });
});
