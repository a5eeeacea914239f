import { beforeAll, describe, expect, it } from "vitest";
import * as catalogRole from "../../../src/entities/catalog-role";
import * as catalogRoleAssignment from "../../../src/entities/catalog-role-assignment";
import * as principal from "../../../src/entities/principal";
import * as principalRole from "../../../src/entities/principal-role";
import * as principalRoleAssignment from "../../../src/entities/principal-role-assignment";
import { passed, sandboxConnection } from "../../support/entities";
import { motoWarehouse } from "../../support/moto-warehouse";
import {
  call,
  createS3Catalog,
  type PolarisSession,
  requestToken,
  session,
  uniqueName,
} from "../../support/polaris";

// Principals, roles and assignments through their entity modules, against the sandbox's real Polaris.

describe("principals, roles and assignments", () => {
  let root: PolarisSession;
  let catalogName: string;
  const connection = () => sandboxConnection();

  beforeAll(async () => {
    root = await session();
    const warehouse = await motoWarehouse(uniqueName("access").replaceAll("_", "-"));
    catalogName = await createS3Catalog(root, warehouse);
  });

  async function checked<T>(module: { check?: (o: never, n: never) => Promise<unknown> }, inputs: object) {
    return passed((await module.check!({} as never, inputs as never)) as { inputs?: T }) as T;
  }

  it("a principal's credentials work, survive refresh, rotate on a trigger, and take chosen values", async () => {
    const name = uniqueName("svc");
    const inputs = await checked<principal.PrincipalInputs>(principal, {
      name,
      owner: `test/${name}`,
      connection: connection(),
      properties: { purpose: "etl" },
    });
    const created = await principal.create(inputs);
    const first = created.outs!;
    expect((await requestToken(first.clientId, first.clientSecret)).status).toBe(200);

    const read = await principal.read!(created.id, first);
    expect(read.props!.clientSecret, "read carries the secret forward").toBe(first.clientSecret);
    expect(await principal.diff!(created.id, read.props!, inputs)).toEqual({ changes: false });

    const rotated = { ...inputs, rotation: "2026-11" };
    expect(await principal.diff!(created.id, read.props!, rotated)).toEqual({ changes: true });
    const second = (await principal.update!(created.id, read.props!, rotated)).outs!;
    expect(second.clientSecret).not.toBe(first.clientSecret);
    expect(
      (await requestToken(first.clientId, first.clientSecret)).status,
      "the old secret stops working",
    ).toBe(401);
    expect((await requestToken(second.clientId, second.clientSecret)).status).toBe(200);

    const chosen = { ...rotated, credentials: { clientId: `${name}-id`, clientSecret: "chosen-secret-123" } };
    const third = (await principal.update!(created.id, second, chosen)).outs!;
    expect(third.clientId).toBe(`${name}-id`);
    expect((await requestToken(`${name}-id`, "chosen-secret-123")).status).toBe(200);

    await principal.delete!(created.id, third);
    expect(await principal.read!(created.id, third)).toEqual({});
  });

  it("sees credentials reset out of band as drift, and fixes them on the next update", async () => {
    const name = uniqueName("svc");
    const inputs = await checked<principal.PrincipalInputs>(principal, {
      name,
      owner: `test/${name}`,
      connection: connection(),
    });
    const created = await principal.create(inputs);
    await call(root, "POST", `/principals/${name}/reset`, {});
    const read = await principal.read!(created.id, created.outs!);
    expect(await principal.diff!(created.id, read.props!, inputs)).toEqual({ changes: true });
    const fixed = (await principal.update!(created.id, read.props!, inputs)).outs!;
    expect((await requestToken(fixed.clientId, fixed.clientSecret)).status).toBe(200);
  });

  it("adopting a principal needs resetCredentialsOnAdopt, then hands out working credentials", async () => {
    const name = uniqueName("svc");
    await call(root, "POST", "/principals", { principal: { name } });
    const inputs = await checked<principal.PrincipalInputs>(principal, {
      name,
      owner: `test/${name}`,
      connection: connection(),
      adopt: true,
    });
    await expect(principal.create(inputs)).rejects.toThrow(/resetCredentialsOnAdopt: true/);
    const adopted = await principal.create({ ...inputs, resetCredentialsOnAdopt: true });
    expect((await requestToken(adopted.outs!.clientId, adopted.outs!.clientSecret)).status).toBe(200);
  });

  it("refuses to declare the built-ins", async () => {
    const owner = "test/builtin";
    expect(
      (await principal.check!({} as never, { name: "root", owner } as never)).failures?.[0],
    ).toMatchObject({
      property: "name",
      reason: expect.stringContaining("built into Polaris"),
    });
    expect(
      (await principalRole.check!({} as never, { name: "service_admin", owner } as never)).failures?.[0]
        ?.reason,
    ).toMatch(/built into Polaris/);
    expect(
      (await catalogRole.check!({} as never, { name: "catalog_admin", catalog: "c", owner } as never))
        .failures?.[0]?.reason,
    ).toMatch(/built into Polaris/);
  });

  it("roles and both kinds of assignment: create, read, revoke on delete", async () => {
    const name = uniqueName("eng");
    const role = await checked(principalRole, {
      name: `${name}_role`,
      owner: `test/${name}`,
      connection: connection(),
      properties: { team: "data" },
    });
    const createdRole = await principalRole.create(role as never);
    const catRole = await checked(catalogRole, {
      name: `${name}_cr`,
      catalog: catalogName,
      owner: `test/${name}_cr`,
      connection: connection(),
    });
    const createdCatRole = await catalogRole.create(catRole as never);
    expect(createdCatRole.id).toBe(`${catalogName}/${name}_cr`);

    const svc = await principal.create(
      await checked<principal.PrincipalInputs>(principal, {
        name,
        owner: `test/${name}-p`,
        connection: connection(),
      }),
    );
    const grant = await checked(principalRoleAssignment, {
      connection: connection(),
      principal: name,
      principalRole: `${name}_role`,
    });
    const granted = await principalRoleAssignment.create(grant as never);
    const assign = await checked(catalogRoleAssignment, {
      connection: connection(),
      catalog: catalogName,
      catalogRole: `${name}_cr`,
      principalRole: `${name}_role`,
    });
    const assigned = await catalogRoleAssignment.create(assign as never);

    expect((await principalRoleAssignment.read!(granted.id, granted.outs!)).id).toBe(granted.id);
    expect((await catalogRoleAssignment.read!(assigned.id, assigned.outs!)).id).toBe(assigned.id);

    // Revoked out of band: read reports the assignment gone.
    await call(root, "DELETE", `/principals/${name}/principal-roles/${name}_role`);
    expect(await principalRoleAssignment.read!(granted.id, granted.outs!)).toEqual({});

    await catalogRoleAssignment.delete!(assigned.id, assigned.outs!);
    const left = await call<{ roles: { name: string }[] }>(
      root,
      "GET",
      `/principal-roles/${name}_role/catalog-roles/${catalogName}`,
    );
    expect(left.body.roles).toEqual([]);
    await catalogRoleAssignment.delete!(assigned.id, assigned.outs!);

    const drifted = await call<{ entityVersion: number }>(root, "GET", `/principal-roles/${name}_role`);
    await call(root, "PUT", `/principal-roles/${name}_role`, {
      currentEntityVersion: drifted.body.entityVersion,
      properties: { team: "changed", "polaris-pulumi.owner": `test/${name}` },
    });
    const read = await principalRole.read!(createdRole.id, createdRole.outs!);
    expect(read.props!.properties).toEqual({ team: "changed" });
    expect(await principalRole.diff!(createdRole.id, read.props!, role as never)).toEqual({ changes: true });

    await catalogRole.delete!(createdCatRole.id, createdCatRole.outs!);
    await principalRole.delete!(createdRole.id, createdRole.outs!);
    await principal.delete!(svc.id, svc.outs!);
    expect((await call(root, "GET", `/principal-roles/${name}_role`)).status).toBe(404);
  });
});
