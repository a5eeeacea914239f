import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grant from "../../../src/entities/grant";
import { sharedGrantsOfRole } from "../../../src/entities/grant-calls";
import { clientFor, resolveConnection } from "../../../src/entities/shared/connection";
import { passed, sandboxConnection } from "../../support/entities";
import { type FaultProxy, startFaultProxy } from "../../support/fault-proxy";
import { motoWarehouse } from "../../support/moto-warehouse";
import { call, createS3Catalog, type PolarisSession, session, uniqueName } from "../../support/polaris";
import { readEndpoints } from "../../support/sandbox";

// A refresh reads every additive grant of a role; the reads share one listing of the role's grants, counted
// here at a proxy in front of the sandbox's real Polaris.

describe("additive grants share one listing per role", () => {
  let root: PolarisSession;
  let proxy: FaultProxy;
  let catalog: string;
  const privileges = ["TABLE_LIST", "TABLE_READ_DATA", "NAMESPACE_LIST", "NAMESPACE_READ_PROPERTIES"];
  const listings = () => proxy.count({ method: "GET", path: /\/catalog-roles\/[^/]+\/grants$/ });

  beforeAll(async () => {
    root = await session();
    proxy = await startFaultProxy({ target: readEndpoints().POLARIS_URI! });
    catalog = await createS3Catalog(root, await motoWarehouse(uniqueName("listing").replaceAll("_", "-")));
    await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces`, { namespace: ["demo"] });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  async function grantsOnNewRole() {
    const role = uniqueName("cr");
    expect(
      (await call(root, "POST", `/catalogs/${catalog}/catalog-roles`, { catalogRole: { name: role } }))
        .status,
    ).toBe(201);
    const connection = { ...sandboxConnection(), uri: proxy.uri };
    const created = [];
    for (const privilege of privileges) {
      const inputs = passed(
        await grant.check!(
          {} as never,
          {
            connection,
            catalog,
            catalogRole: role,
            grant: { type: "namespace", namespace: ["demo"], privilege },
          } as never,
        ),
      ) as grant.GrantInputs;
      created.push(await grant.create(inputs));
    }
    return { role, connection, created };
  }

  it("reads of one role's grants, together or one after the other, list the role once", async () => {
    const { created } = await grantsOnNewRole();
    const before = listings();
    const together = await Promise.all(created.map((made) => grant.read!(made.id, made.outs!)));
    const oneByOne = [];
    for (const made of created) oneByOne.push(await grant.read!(made.id, made.outs!));
    expect([...together, ...oneByOne].map((read) => read.id)).toEqual([
      ...created.map((made) => made.id),
      ...created.map((made) => made.id),
    ]);
    expect(listings() - before, "one listing for 8 reads").toBe(1);
  });

  it("a grant revoked by this process is seen gone at once; one revoked outside, once the listing is old", async () => {
    const { role, connection, created } = await grantsOnNewRole();
    const [first, second] = created;
    await grant.read!(first!.id, first!.outs!);
    await grant.delete!(first!.id, first!.outs!);
    expect(await grant.read!(first!.id, first!.outs!), "our own revoke is seen by the next read").toEqual({});

    // A clock of its own: listings made by the reads above count as old, the next one is made at `clock`.
    const polaris = clientFor(resolveConnection(connection));
    let clock = Date.now() + 3_600_000;
    const now = () => clock;
    const privilege = second!.outs!.grant.privilege;
    const held = async () =>
      (await sharedGrantsOfRole(polaris, catalog, role, now))?.map((listed) => listed.privilege);
    expect(await held()).toContain(privilege);
    const revoked = await call(root, "POST", `/catalogs/${catalog}/catalog-roles/${role}/grants`, {
      grant: { type: "namespace", namespace: ["demo"], privilege },
    });
    expect(revoked.status).toBeLessThan(300);
    clock += 4_999;
    expect(await held(), "a listing less than 5 s old answers").toContain(privilege);
    clock += 1;
    expect(await held(), "an older one is made again").not.toContain(privilege);
  });
});
