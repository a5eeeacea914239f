import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readEngineRun } from "../../../src/review/engine-run";

const fixtures = join(__dirname, "..", "..", "e2e", "golden", "fixtures");
const urn = (type: string, name: string) => `urn:pulumi:review::p::${type}::${name}`;
const nsType = "pulumi-nodejs:dynamic/polaris:Namespace";

describe("reading what the Pulumi CLI prints", () => {
  it("reads the summary object of `pulumi preview --json`", () => {
    const run = readEngineRun(readFileSync(join(fixtures, "preview-namespace-added.json"), "utf8"));
    expect(run.changeSummary).toEqual({ create: 1, same: 22 });
    expect(run.steps.map((s) => [s.op, s.urn.split("::").pop()])).toEqual([["create", "demo.gold.finance"]]);
    expect(run.steps[0]?.new?.inputs?.levels).toEqual(["demo", "gold", "finance"]);
  });

  it("reads engine events, one a line or as an array; a refresh's outcome comes from its outputs event", () => {
    const old = { urn: urn(nsType, "gold"), type: nsType, custom: true, outputs: { properties: { a: "1" } } };
    const refreshed = { ...old, outputs: { properties: { a: "2" } } };
    const events = [
      { sequence: 0, preludeEvent: { config: {} } },
      { resourcePreEvent: { metadata: { op: "refresh", urn: old.urn, old, new: old } } },
      { resOutputsEvent: { metadata: { op: "update", urn: old.urn, old, new: refreshed } } },
      {
        diagnosticEvent: {
          urn: old.urn,
          prefix: "<{%fg 1%}>error: <{%reset%}>",
          message: "boom<{%reset%}>\n",
          severity: "error",
        },
      },
      { diagnosticEvent: { message: "progress", severity: "info", ephemeral: true } },
      { summaryEvent: { resourceChanges: { update: 1, same: 3 } } },
    ];
    const lines = readEngineRun(events.map((e) => JSON.stringify(e)).join("\n"));
    const array = readEngineRun(JSON.stringify(events));
    expect(array).toEqual(lines);
    expect(lines.steps).toEqual([{ op: "update", urn: old.urn, old, new: refreshed }]);
    expect(lines.diagnostics).toEqual([{ urn: old.urn, message: "error: boom\n", severity: "error" }]);
    expect(lines.changeSummary).toEqual({ update: 1, same: 3 });
  });

  it("refuses what is neither form, saying what it expected", () => {
    expect(() => readEngineRun("  \n")).toThrow(/empty: expected the JSON of `pulumi preview --json`/);
    expect(() => readEngineRun('{"steps": []}\nerror: no stack named review')).toThrow(
      /line 2 .* is not JSON/,
    );
    expect(() => readEngineRun('{"hello": 1}')).toThrow(/without steps, changeSummary or diagnostics/);
  });
});
