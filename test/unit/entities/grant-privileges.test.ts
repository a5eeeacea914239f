import { describe, expect, it } from "vitest";
import { PRIVILEGES_BY_LEVEL, privilegeProblem } from "../../../src/entities/grant-privileges";

describe("privileges per grant level, from the management API spec", () => {
  it("accepts the reference platform's catalog privileges and the data privileges at namespace level", () => {
    for (const privilege of [
      "CATALOG_MANAGE_CONTENT",
      "TABLE_CREATE",
      "TABLE_DROP",
      "TABLE_READ_DATA",
      "TABLE_WRITE_DATA",
      "NAMESPACE_CREATE",
      "NAMESPACE_DROP",
      "VIEW_CREATE",
      "VIEW_DROP",
    ]) {
      expect(privilegeProblem("catalog", privilege)).toBeUndefined();
    }
    expect(privilegeProblem("namespace", "TABLE_READ_DATA")).toBeUndefined();
    expect(privilegeProblem("namespace", "TABLE_LIST")).toBeUndefined();
  });

  it("suggests the privilege a typo was meant to be", () => {
    expect(privilegeProblem("namespace", "TABLE_RAED_DATA")).toBe(
      "unknown privilege TABLE_RAED_DATA; did you mean TABLE_READ_DATA?",
    );
    expect(privilegeProblem("table", "table_write_data")).toBe(
      "unknown privilege table_write_data; did you mean TABLE_WRITE_DATA?",
    );
  });

  it("names the level where a misplaced privilege belongs", () => {
    expect(privilegeProblem("table", "NAMESPACE_CREATE")).toBe(
      "NAMESPACE_CREATE is not a table-level privilege; Polaris grants it at the catalog, namespace levels. Grant it there instead.",
    );
    expect(privilegeProblem("view", "TABLE_READ_DATA")).toMatch(
      /not a view-level privilege.*catalog, namespace, table levels/,
    );
  });

  it("lists the valid privileges when nothing is close", () => {
    const message = privilegeProblem("policy", "EVERYTHING");
    expect(message).toMatch(/^unknown privilege EVERYTHING; policy-level privileges are: /);
    for (const privilege of PRIVILEGES_BY_LEVEL.policy) expect(message).toContain(privilege);
  });
});
