import { describe, expect, it } from "vitest";
import { claimGrantTarget } from "../../../src/dynamic/grants";

// Mixed grant shapes on one role would undo each other on every `up`; the program refuses them while it
// runs, which is at preview.
describe("grant shapes on one catalog role", () => {
  it("allows several additive grants on one role", () => {
    expect(() => {
      claimGrantTarget("c1", "r", "additive", "a");
      claimGrantTarget("c1", "r", "additive", "b");
    }).not.toThrow();
  });

  it("refuses two authoritative sets on one role, naming both", () => {
    claimGrantTarget("c2", "r", "authoritative", "first-set");
    expect(() => claimGrantTarget("c2", "r", "authoritative", "second-set")).toThrow(
      /catalog role r in catalog c2 has grants declared by both first-set \(authoritative\) and second-set/,
    );
  });

  it("refuses an additive grant beside a set, in either order", () => {
    claimGrantTarget("c3", "r", "authoritative", "set");
    expect(() => claimGrantTarget("c3", "r", "additive", "extra")).toThrow(/move the grants into that set/);
    claimGrantTarget("c4", "r", "additive", "extra");
    expect(() => claimGrantTarget("c4", "r", "authoritative", "set")).toThrow(
      /both extra \(additive\) and set/,
    );
  });

  it("keeps roles of the same name in different catalogs apart", () => {
    claimGrantTarget("c5", "r", "authoritative", "one");
    expect(() => claimGrantTarget("c6", "r", "authoritative", "two")).not.toThrow();
  });
});
