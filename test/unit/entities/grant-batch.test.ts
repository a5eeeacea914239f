import { describe, expect, it } from "vitest";
import { forEachAtMost } from "../../../src/entities/grant-batch";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("forEachAtMost", () => {
  it("runs every item, never more than the limit at once", async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachAtMost([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4, async (item) => {
      running++;
      most = Math.max(most, running);
      await tick();
      done.push(item);
      running--;
    });
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(most).toBe(4);
  });

  it("starts nothing after a failure, lets the writes in flight finish, and throws the first failure", async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = forEachAtMost([1, 2, 3, 4, 5, 6, 7, 8], 3, async (item) => {
      started.push(item);
      if (item === 2) throw new Error("grant 2 refused");
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (item === 3) throw new Error("grant 3 refused");
      finished.push(item);
    });
    await expect(run).rejects.toThrow("grant 2 refused");
    expect(started).toEqual([1, 2, 3]);
    expect(finished).toEqual([1]);
  });

  it("does nothing for no items", async () => {
    await forEachAtMost([], 4, async () => {
      throw new Error("not called");
    });
  });
});
