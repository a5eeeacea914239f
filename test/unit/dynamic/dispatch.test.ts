import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dispatch } from "../../../src/dynamic/dispatch";

// An implementation module at schema version 2, whose version 1 stored `name` where 2 stores `title`.
const scratch = mkdtempSync(join(tmpdir(), "dispatch-"));
const modulePath = join(scratch, "impl.js");
writeFileSync(
  modulePath,
  `
  exports.schemaVersion = 2;
  exports.migrate = (props, from) => (from === 1 ? { ...props, title: props.name, name: undefined } : props);
  exports.create = async (inputs) => ({ id: "e1", outs: { title: inputs.title } });
  exports.read = async (id, props) => (props.title === "gone" ? {} : { id, props });
  exports.update = async (id, olds, news) => ({ outs: { title: news.title, previous: olds.title } });
  exports.diff = async (id, olds, news) => ({ changes: olds.title !== news.title });
`,
);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("dispatch", () => {
  it("stamps outputs with the implementation's state schema version", async () => {
    expect(await dispatch(modulePath, "create", [{ title: "a" }])).toEqual({
      id: "e1",
      outs: { title: "a", __schemaVersion: 2 },
    });
  });

  it("migrates state written by an older version before the implementation sees it", async () => {
    const v1State = { name: "old-name" };
    expect(await dispatch(modulePath, "read", ["e1", v1State])).toMatchObject({
      id: "e1",
      props: { title: "old-name", __schemaVersion: 2 },
    });
    expect(await dispatch(modulePath, "update", ["e1", v1State, { title: "new" }])).toEqual({
      outs: { title: "new", previous: "old-name", __schemaVersion: 2 },
    });
    expect(await dispatch(modulePath, "diff", ["e1", { name: "same" }, { title: "same" }])).toEqual({
      changes: false,
    });
  });

  it("refuses state from a newer library instead of misreading it", async () => {
    await expect(dispatch(modulePath, "read", ["e1", { title: "x", __schemaVersion: 3 }])).rejects.toThrow(
      /written by a newer polaris-pulumi \(state schema 3, this version knows 2\)/,
    );
  });

  it("reports an entity that is gone as an empty read, and fills in optional methods", async () => {
    expect(await dispatch(modulePath, "read", ["e1", { title: "gone", __schemaVersion: 2 }])).toEqual({});
    expect(await dispatch(modulePath, "check", [{}, { title: "t" }])).toEqual({ inputs: { title: "t" } });
    expect(await dispatch(modulePath, "delete", ["e1", {}])).toBeUndefined();
  });
});
