import { beforeAll, describe, expect, it } from "vitest";
import * as grant from "../../../src/entities/grant";
import * as grantSet from "../../../src/entities/grant-set";
import { grantId } from "../../../src/entities/grant-spec";
import { passed, sandboxConnection } from "../../support/entities";
import { motoWarehouse } from "../../support/moto-warehouse";
import { call, createS3Catalog, type PolarisSession, session, uniqueName } from "../../support/polaris";

// Both grant shapes through their entity modules, against the sandbox's real Polaris.

interface ListedGrant {
  type: string;
  privilege: string;
  namespace?: string[];
  tableName?: string;
}

describe("grants", () => {
  let root: PolarisSession;
  let catalog: string;
  const role = () => uniqueName("cr");

  beforeAll(async () => {
    root = await session();
    catalog = await createS3Catalog(root, await motoWarehouse(uniqueName("grants").replaceAll("_", "-")));
    await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces`, { namespace: ["demo"] });
    await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces`, { namespace: ["demo", "gold"] });
    const table = await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces/demo%1Fgold/tables`, {
      name: "orders",
      schema: {
        type: "struct",
        "schema-id": 0,
        fields: [{ id: 1, name: "id", required: true, type: "long" }],
      },
    });
    expect(table.status).toBe(200);
  });

  async function createRole(): Promise<string> {
    const name = role();
    expect(
      (await call(root, "POST", `/catalogs/${catalog}/catalog-roles`, { catalogRole: { name } })).status,
    ).toBe(201);
    return name;
  }

  async function listed(roleName: string): Promise<string[]> {
    const reply = await call<{ grants: ListedGrant[] }>(
      root,
      "GET",
      `/catalogs/${catalog}/catalog-roles/${roleName}/grants`,
    );
    return reply.body.grants
      .map((g) =>
        [g.type, [...(g.namespace ?? []), ...(g.tableName ? [g.tableName] : [])].join("."), g.privilege]
          .filter(Boolean)
          .join(":"),
      )
      .sort();
  }

  it("two additive grants on one role coexist, and each revokes only its own", async () => {
    const roleName = await createRole();
    const first = passed(
      await grant.check!(
        {} as never,
        {
          connection: sandboxConnection(),
          catalog,
          catalogRole: roleName,
          grant: { type: "namespace", namespace: ["demo", "gold"], privilege: "TABLE_READ_DATA" },
        } as never,
      ),
    ) as grant.GrantInputs;
    const second = { ...first, grant: { type: "catalog" as const, privilege: "CATALOG_READ_PROPERTIES" } };
    const a = await grant.create(first);
    const b = await grant.create(second);
    expect(a.id).toBe(`${catalog}/${roleName}/namespace:demo.gold:TABLE_READ_DATA`);
    expect(await listed(roleName)).toEqual([
      "catalog:CATALOG_READ_PROPERTIES",
      "namespace:demo.gold:TABLE_READ_DATA",
    ]);

    expect((await grant.read!(a.id, a.outs!)).id).toBe(a.id);
    await grant.delete!(a.id, a.outs!);
    expect(await listed(roleName)).toEqual(["catalog:CATALOG_READ_PROPERTIES"]);
    expect(await grant.read!(a.id, a.outs!), "read sees the grant gone").toEqual({});
    await grant.delete!(a.id, a.outs!);
    expect((await grant.read!(b.id, b.outs!)).id).toBe(b.id);
  });

  it("a table grant needs the table, and says so when it is missing", async () => {
    const roleName = await createRole();
    const onTable = passed(
      await grant.check!(
        {} as never,
        {
          connection: sandboxConnection(),
          catalog,
          catalogRole: roleName,
          grant: {
            type: "table",
            namespace: ["demo", "gold"],
            table: "orders",
            privilege: "TABLE_READ_DATA",
          },
        } as never,
      ),
    ) as grant.GrantInputs;
    await grant.create(onTable);
    expect(await listed(roleName)).toEqual(["table:demo.gold.orders:TABLE_READ_DATA"]);
    const missing = { ...onTable, grant: { ...onTable.grant, table: "no_such_table" } };
    await expect(grant.create(missing)).rejects.toThrow(
      /table demo\.gold\.no_such_table .* does not exist\. Create it first/,
    );
  });

  it("an authoritative set converges the role to exactly its grants, with one listing per refresh", async () => {
    const roleName = await createRole();
    await call(root, "PUT", `/catalogs/${catalog}/catalog-roles/${roleName}/grants`, {
      grant: { type: "catalog", privilege: "NAMESPACE_LIST" },
    });
    const grants = [
      { type: "namespace", namespace: ["demo", "gold"], privilege: "TABLE_READ_DATA" },
      { type: "namespace", namespace: ["demo"], privilege: "NAMESPACE_LIST" },
      { type: "table", namespace: ["demo", "gold"], table: "orders", privilege: "TABLE_WRITE_DATA" },
    ] as const;
    const inputs = passed(
      await grantSet.check!(
        {} as never,
        {
          connection: sandboxConnection(),
          catalog,
          catalogRole: roleName,
          grants: Object.fromEntries(grants.map((g) => [grantId(g as never), g])),
        } as never,
      ),
    ) as grantSet.GrantSetInputs;
    const created = await grantSet.create(inputs);
    expect(await listed(roleName), "the undeclared grant is revoked").toEqual([
      "namespace:demo.gold:TABLE_READ_DATA",
      "namespace:demo:NAMESPACE_LIST",
      "table:demo.gold.orders:TABLE_WRITE_DATA",
    ]);

    // Out of band: one revoked, one extra added. Refresh sees both; update restores exactly the set.
    await call(root, "POST", `/catalogs/${catalog}/catalog-roles/${roleName}/grants`, {
      grant: { type: "namespace", namespace: ["demo"], privilege: "NAMESPACE_LIST" },
    });
    await call(root, "PUT", `/catalogs/${catalog}/catalog-roles/${roleName}/grants`, {
      grant: { type: "catalog", privilege: "CATALOG_MANAGE_CONTENT" },
    });
    const read = await grantSet.read!(created.id, created.outs!);
    expect(Object.keys(read.props!.grants).sort()).toEqual([
      "catalog:CATALOG_MANAGE_CONTENT",
      "namespace:demo.gold:TABLE_READ_DATA",
      "table:demo.gold.orders:TABLE_WRITE_DATA",
    ]);
    expect(await grantSet.diff!(created.id, read.props!, inputs)).toEqual({ changes: true });
    await grantSet.update!(created.id, read.props!, inputs);
    expect(await listed(roleName)).toHaveLength(3);
    expect(
      await grantSet.diff!(created.id, (await grantSet.read!(created.id, created.outs!)).props!, inputs),
    ).toEqual({
      changes: false,
    });

    await grantSet.delete!(created.id, created.outs!);
    expect(await listed(roleName)).toEqual([]);
  });

  it("a set on catalog_admin never touches the grants Polaris gave it", async () => {
    const inputs = passed(
      await grantSet.check!(
        {} as never,
        {
          connection: sandboxConnection(),
          catalog,
          catalogRole: "catalog_admin",
          grants: {
            "catalog:CATALOG_READ_PROPERTIES": { type: "catalog", privilege: "CATALOG_READ_PROPERTIES" },
          },
        } as never,
      ),
    ) as grantSet.GrantSetInputs;
    const created = await grantSet.create(inputs);
    expect(await listed("catalog_admin")).toEqual([
      "catalog:CATALOG_MANAGE_ACCESS",
      "catalog:CATALOG_MANAGE_METADATA",
      "catalog:CATALOG_READ_PROPERTIES",
    ]);
    expect(Object.keys((await grantSet.read!(created.id, created.outs!)).props!.grants)).toEqual([
      "catalog:CATALOG_READ_PROPERTIES",
    ]);
    await grantSet.delete!(created.id, created.outs!);
    expect(await listed("catalog_admin")).toEqual([
      "catalog:CATALOG_MANAGE_ACCESS",
      "catalog:CATALOG_MANAGE_METADATA",
    ]);
  });
});
