import { beforeAll, describe, expect, it } from "vitest";
import * as namespace from "../../../src/entities/namespace";
import { passed, sandboxConnection } from "../../support/entities";
import { motoWarehouse } from "../../support/moto-warehouse";
import { call, createS3Catalog, type PolarisSession, session, uniqueName } from "../../support/polaris";

// Namespaces through their entity module, against the sandbox's real Polaris.

describe("namespace entity", () => {
  let root: PolarisSession;
  let catalog: string;
  beforeAll(async () => {
    root = await session();
    catalog = await createS3Catalog(root, await motoWarehouse(uniqueName("ns").replaceAll("_", "-")));
  });

  async function declared(levels: string[], extra: Record<string, unknown> = {}) {
    return passed(
      await namespace.check!(
        {} as never,
        {
          catalog,
          levels,
          owner: `test/${levels.join(".")}`,
          connection: sandboxConnection(),
          ...extra,
        } as never,
      ),
    ) as unknown as namespace.NamespaceInputs;
  }

  it("creates parent and child, ignores the server's own properties, manages declared keys only", async () => {
    const parent = await namespace.create(await declared(["demo"], { properties: { owner: "platform" } }));
    expect(parent.outs!.location, "Polaris fills in the location").toMatch(/^s3:\/\/.*\/demo\/?$/);
    const childInputs = await declared(["demo", "gold"], {
      parentDeclared: true,
      properties: { tier: "gold", a: "1" },
    });
    const child = await namespace.create(childInputs);
    expect(child.id).toBe(`${catalog}/demo.gold`);
    expect(child.outs!.path).toBe("demo.gold");

    const read = await namespace.read!(child.id, child.outs!);
    expect(read.props!.properties, "undeclared keys such as location never show").toEqual({
      tier: "gold",
      a: "1",
    });
    expect(await namespace.diff!(child.id, read.props!, childInputs)).toEqual({ changes: false });

    await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces/demo%1Fgold/properties`, {
      updates: { tier: "silver", "set-by-ops": "x" },
    });
    const drifted = await namespace.read!(child.id, child.outs!);
    expect(drifted.props!.properties.tier).toBe("silver");
    expect(await namespace.diff!(child.id, drifted.props!, childInputs)).toEqual({ changes: true });

    const next = { ...childInputs, properties: { tier: "gold" } };
    await namespace.update!(child.id, drifted.props!, next);
    const server = await call<{ properties: Record<string, string> }>(
      root,
      "GET",
      `/api/catalog/v1/${catalog}/namespaces/demo%1Fgold`,
    );
    expect(server.body.properties.tier).toBe("gold");
    expect(server.body.properties.a, "a key dropped from the declaration is removed").toBeUndefined();
    expect(server.body.properties["set-by-ops"], "a key nobody declared stays").toBe("x");

    await expect(namespace.delete!(parent.id, parent.outs!)).rejects.toThrow(/is not empty.*retainOnDelete/s);
    await namespace.delete!(child.id, child.outs!);
    await namespace.delete!(parent.id, parent.outs!);
    expect(await namespace.read!(parent.id, parent.outs!)).toEqual({});
  });

  it("fails before any write when a parent is neither declared nor marked as existing", async () => {
    const result = await namespace.check!(
      {} as never,
      {
        catalog,
        levels: ["undeclared", "child"],
        owner: "test/x",
        connection: sandboxConnection(),
      } as never,
    );
    expect(result.failures).toEqual([
      expect.objectContaining({
        property: "parent",
        reason: expect.stringContaining("needs its parent undeclared"),
      }),
    ]);
  });

  it("says which parent is missing when one marked as existing is not there", async () => {
    const inputs = await declared(["missing", "child"], { parentExists: true });
    await expect(namespace.create(inputs)).rejects.toThrow(/its parent missing does not exist/);
  });
});
