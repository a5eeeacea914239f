import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import * as catalog from "../../../src/entities/catalog";
import { clientFor, resolveConnection } from "../../../src/entities/shared/connection";
import { convergeProperties } from "../../../src/entities/shared/versioned-update";
import { passed, sandboxConnection } from "../../support/entities";
import { motoWarehouse } from "../../support/moto-warehouse";
import { call, type PolarisSession, session, uniqueName } from "../../support/polaris";
import { readEndpoints } from "../../support/sandbox";

// The catalog entity module against the sandbox's real Polaris: what a resource's create, read, update
// and delete do, without the Pulumi engine in between.

describe("catalog entity", () => {
  let root: PolarisSession;
  let warehouse: { bucket: string; roleArn: string };
  beforeAll(async () => {
    root = await session();
    warehouse = await motoWarehouse(uniqueName("entcat").replaceAll("_", "-"));
  });

  async function declared(overrides: Record<string, unknown> = {}) {
    const name = uniqueName("cat");
    const endpoints = readEndpoints();
    return passed(
      await catalog.check!(
        {} as never,
        {
          name,
          owner: `test/${name}`,
          connection: sandboxConnection(),
          defaultBaseLocation: `s3://${warehouse.bucket}/${name}/`,
          properties: { team: "platform" },
          storage: {
            storageType: "S3",
            allowedLocations: [`s3://${warehouse.bucket}/${name}/`],
            roleArn: warehouse.roleArn,
            region: "us-east-1",
            endpoint: endpoints.S3_ENDPOINT,
            stsEndpoint: endpoints.MOTO_ENDPOINT,
            pathStyleAccess: true,
          },
          ...overrides,
        } as never,
      ),
    ) as unknown as catalog.CatalogInputs;
  }

  it("creates, reads back with no drift, updates in place, and deletes (a second delete is fine)", async () => {
    const inputs = await declared();
    const created = await catalog.create(inputs);
    expect(created.id).toBe(inputs.name);
    expect(created.outs!.properties).toEqual({ team: "platform" });
    expect(created.outs!.storage.allowedLocations).toEqual(inputs.storage.allowedLocations);

    const read = await catalog.read!(created.id, created.outs!);
    expect(await catalog.diff!(created.id, read.props!, inputs)).toEqual({ changes: false });

    const changed = {
      ...inputs,
      properties: { owner: "data" },
      storage: { ...inputs.storage, pathStyleAccess: false },
    };
    expect(await catalog.diff!(created.id, read.props!, changed)).toEqual({ changes: true });
    const updated = await catalog.update!(created.id, read.props!, changed as never);
    expect(updated.outs!.properties).toEqual({ owner: "data" });
    const server = await call<{ properties: Record<string, string> }>(
      root,
      "GET",
      `/catalogs/${inputs.name}`,
    );
    expect(
      server.body.properties.team,
      "a key removed from the declaration is removed from Polaris",
    ).toBeUndefined();
    expect(server.body.properties.owner).toBe("data");

    await catalog.delete!(created.id, updated.outs!);
    expect((await call(root, "GET", `/catalogs/${inputs.name}`)).status).toBe(404);
    expect(await catalog.read!(created.id, updated.outs!)).toEqual({});
    await catalog.delete!(created.id, updated.outs!);
  });

  it("a base location below the allowed one, which Polaris adds to the allowed list, is no drift", async () => {
    const inputs = await declared();
    const bucketRoot = `s3://${warehouse.bucket}/`;
    const nested = await declared({
      name: inputs.name,
      owner: inputs.owner,
      defaultBaseLocation: `${bucketRoot}${inputs.name}/warehouse/`,
      storage: { ...inputs.storage, allowedLocations: [bucketRoot] },
    });
    const created = await catalog.create(nested);
    const server = await call<{ storageConfigInfo: { allowedLocations: string[] } }>(
      root,
      "GET",
      `/catalogs/${nested.name}`,
    );
    expect(server.body.storageConfigInfo.allowedLocations.sort()).toEqual([
      bucketRoot,
      `${bucketRoot}${inputs.name}/warehouse/`,
    ]);
    const read = await catalog.read!(created.id, created.outs!);
    expect(read.props!.storage.allowedLocations).toEqual([bucketRoot]);
    expect(await catalog.diff!(created.id, read.props!, nested)).toEqual({ changes: false });
    await catalog.delete!(created.id, read.props!);
  });

  it("sees drift on declared keys, keeps undeclared keys, and survives an outside edit between read and update", async () => {
    const inputs = await declared();
    const created = await catalog.create(inputs);
    const before = await call<{ entityVersion: number; properties: Record<string, string> }>(
      root,
      "GET",
      `/catalogs/${inputs.name}`,
    );
    await call(root, "PUT", `/catalogs/${inputs.name}`, {
      currentEntityVersion: before.body.entityVersion,
      properties: { ...before.body.properties, team: "someone-else", "added-by-ops": "yes" },
    });
    const read = await catalog.read!(created.id, created.outs!);
    expect(read.props!.properties).toEqual({ team: "someone-else" });
    expect(await catalog.diff!(created.id, read.props!, inputs)).toEqual({ changes: true });

    const updated = await catalog.update!(created.id, read.props!, inputs as never);
    expect(updated.outs!.properties).toEqual({ team: "platform" });
    const after = await call<{ properties: Record<string, string> }>(root, "GET", `/catalogs/${inputs.name}`);
    expect(after.body.properties["added-by-ops"], "keys nobody declared are kept").toBe("yes");
  });

  it("adopts a matching catalog, refuses a mismatching one with the differences, and takes back its own", async () => {
    const inputs = await declared();
    const body = {
      type: "INTERNAL",
      name: inputs.name,
      properties: { "default-base-location": inputs.defaultBaseLocation, team: "platform" },
      storageConfigInfo: inputs.storage,
    };
    expect((await call(root, "POST", "/catalogs", { catalog: body })).status).toBe(201);

    await expect(catalog.create(inputs)).rejects.toThrow(/already exists in Polaris.*set `adopt: true`/s);
    await expect(catalog.create({ ...inputs, adopt: true, properties: { team: "other" } })).rejects.toThrow(
      /cannot adopt catalog .*properties: Polaris has \{"team":"platform"\}, declared \{"team":"other"\}/s,
    );
    const adopted = await catalog.create({ ...inputs, adopt: true });
    expect(adopted.outs!.properties).toEqual({ team: "platform" });

    // Now owned: a create that meets its own entity (a crashed run) takes it back without `adopt`.
    const again = await catalog.create(inputs);
    expect(again.id).toBe(inputs.name);
  });

  it("refuses at preview a storage change Polaris cannot apply, naming the field and the ways out", async () => {
    const inputs = await declared();
    const created = await catalog.create(inputs);
    const otherAccount = { ...inputs.storage, roleArn: "arn:aws:iam::999999999999:role/other" };
    await expect(
      catalog.diff!(created.id, created.outs!, { ...inputs, storage: otherAccount }),
    ).rejects.toThrow(
      /cannot change storage\.roleArn in place.*allowReplace: true.*allowUnrestrictedStorageChanges: true/s,
    );
    // allowReplace on an empty catalog: a replacement.
    expect(
      await catalog.diff!(created.id, created.outs!, {
        ...inputs,
        storage: otherAccount,
        allowReplace: true,
      }),
    ).toMatchObject({
      replaces: ["storage"],
    });
    // ... but never while it holds a namespace.
    await call(root, "POST", `/api/catalog/v1/${inputs.name}/namespaces`, { namespace: ["keep"] });
    await expect(
      catalog.diff!(created.id, created.outs!, { ...inputs, storage: otherAccount, allowReplace: true }),
    ).rejects.toThrow(/would drop 1 namespace\(s\) \(keep\)/);
  });

  it("retries a versioned update once, on a fresh version, when someone else changed the entity in between", async () => {
    const inputs = await declared();
    await catalog.create(inputs);
    const polaris = clientFor(resolveConnection(inputs.connection));
    const stale = await polaris.getCatalog(inputs.name);
    const outside = await call<{ entityVersion: number; properties: Record<string, string> }>(
      root,
      "GET",
      `/catalogs/${inputs.name}`,
    );
    await call(root, "PUT", `/catalogs/${inputs.name}`, {
      currentEntityVersion: outside.body.entityVersion,
      properties: { ...outside.body.properties, "set-by-ops": "yes" },
    });

    const versions: number[] = [];
    const result = await convergeProperties(
      stale,
      () => polaris.getCatalog(inputs.name),
      { previous: inputs.properties, declared: { team: "data" }, owner: inputs.owner },
      (version, properties) => {
        versions.push(version);
        return polaris.updateCatalog(inputs.name, { currentEntityVersion: version, properties });
      },
    );
    expect(versions, "a stale write, then one on the fresh version").toEqual([
      stale.entityVersion,
      stale.entityVersion! + 1,
    ]);
    expect(result.properties?.team).toBe("data");
    expect(result.properties?.["set-by-ops"], "the outside change to an undeclared key survives").toBe("yes");
  });

  it("sees drift made with the official polaris CLI", async () => {
    const inputs = await declared();
    const created = await catalog.create(inputs);
    const endpoints = readEndpoints();
    await promisify(execFile)(`${endpoints.SANDBOX_VENV}/bin/polaris`, [
      "--base-url",
      endpoints.POLARIS_URI!,
      "--client-id",
      endpoints.POLARIS_CLIENT_ID!,
      "--client-secret",
      endpoints.POLARIS_CLIENT_SECRET!,
      "catalogs",
      "update",
      inputs.name,
      "--set-property",
      "team=changed-by-cli",
    ]);
    const read = await catalog.read!(created.id, created.outs!);
    expect(read.props!.properties).toEqual({ team: "changed-by-cli" });
    expect(await catalog.diff!(created.id, read.props!, inputs)).toEqual({ changes: true });
  });

  it("refuses to delete a catalog that still holds a namespace, saying what to do", async () => {
    const inputs = await declared();
    const created = await catalog.create(inputs);
    await call(root, "POST", `/api/catalog/v1/${inputs.name}/namespaces`, { namespace: ["left_behind"] });
    await expect(catalog.delete!(created.id, created.outs!)).rejects.toThrow(
      /cannot be deleted while it holds namespaces or catalog roles other than catalog_admin.*Declare them in this stack/s,
    );
    expect((await call(root, "GET", `/catalogs/${inputs.name}`)).status).toBe(200);
  });
});
