import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dispatch } from "../../../src/dynamic/dispatch";

// At preview an input may be another resource's output that is not known yet (a new namespace's path, a
// replaced role's name). diff must answer, not fail validating the placeholder. These run the compiled
// entity modules that the provider process loads.
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const entity = (name: string) => join(__dirname, "..", "..", "..", "dist", "src", "entities", `${name}.js`);

describe("diff of inputs not known at preview", () => {
  const grantSet = {
    catalog: "c",
    catalogRole: "r",
    grants: { "catalog:CATALOG_MANAGE_CONTENT": { type: "catalog", privilege: "CATALOG_MANAGE_CONTENT" } },
  };

  it("a grant set whose grants wait on a namespace being created is an update", async () => {
    expect(
      await dispatch(entity("grant-set"), "diff", ["c/r", grantSet, { ...grantSet, grants: UNKNOWN }]),
    ).toEqual({
      changes: true,
    });
  });

  it("a grant set whose role is being replaced is a replacement, deleted first", async () => {
    expect(
      await dispatch(entity("grant-set"), "diff", ["c/r", grantSet, { ...grantSet, catalogRole: UNKNOWN }]),
    ).toEqual({
      changes: true,
      replaces: ["catalogRole"],
      deleteBeforeReplace: true,
    });
  });

  it("a catalog whose storage role is being replaced is an update; a namespace whose parent is, a replacement", async () => {
    const catalog = { name: "demo", storage: { storageType: "S3", roleArn: "arn:aws:iam::1:role/a" } };
    expect(
      await dispatch(entity("catalog"), "diff", [
        "demo",
        catalog,
        { ...catalog, storage: { ...catalog.storage, roleArn: UNKNOWN } },
      ]),
    ).toEqual({ changes: true });
    const namespace = { catalog: "demo", levels: ["demo", "gold"] };
    expect(
      await dispatch(entity("namespace"), "diff", [
        "demo/demo.gold",
        namespace,
        { ...namespace, levels: UNKNOWN },
      ]),
    ).toEqual({
      changes: true,
      replaces: ["levels"],
      deleteBeforeReplace: true,
    });
  });
});
