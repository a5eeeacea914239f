import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { driftMarkdown } from "../../../src/review/drift-markdown";
import { type EngineRun, type EngineStep, readEngineRun } from "../../../src/review/engine-run";
import { describeGrant } from "../../../src/review/grant-changes";
import { previewMarkdown } from "../../../src/review/preview-markdown";
import { SECRET_SIGNATURE_KEY, UNKNOWN_VALUE } from "../../../src/review/secrets";

const fixtures = join(__dirname, "..", "..", "e2e", "golden", "fixtures");
const polaris = (kind: string) => `pulumi-nodejs:dynamic/polaris:${kind}`;

function step(op: string, kind: string, name: string, old?: object, next?: object, extra = {}): EngineStep {
  const type = polaris(kind);
  const urn = `urn:pulumi:review::p::${type}::${name}`;
  return {
    op,
    urn,
    ...(old ? { old: { urn, type, custom: true, inputs: old as never, outputs: old as never } } : {}),
    ...(next ? { new: { urn, type, custom: true, inputs: next as never, outputs: next as never } } : {}),
    ...extra,
  };
}

const run = (steps: EngineStep[], changeSummary: Record<string, number> = {}): EngineRun => ({
  steps,
  diagnostics: [],
  changeSummary,
});

describe("secret values never reach the Markdown", () => {
  const canaries = ["canary-client-id", "canary-client-secret", "canary-connection-secret", "canary-token"];
  const marked = { [SECRET_SIGNATURE_KEY]: "1b47061264138c4ac30d75fd1eb44270", ciphertext: "canary-token" };
  const principal = step(
    "update",
    "Principal",
    "engineer",
    {
      name: "engineer",
      credentials: { clientId: "old-id", clientSecret: "old-secret" },
      connection: { uri: "https://polaris", clientSecret: "canary-connection-secret" },
      clientSecret: "[secret]",
      issuedClientId: marked,
    },
    {
      name: "engineer",
      credentials: { clientId: "canary-client-id", clientSecret: "canary-client-secret" },
      connection: { uri: "https://other-polaris", clientSecret: "canary-connection-secret" },
      clientSecret: "[secret]",
      issuedClientId: marked,
    },
  );

  it("credentials not marked secret, a plain connection and values Pulumi masks", () => {
    for (const markdown of [previewMarkdown(run([principal]), "s"), driftMarkdown(run([principal]), "s")]) {
      for (const canary of [...canaries, "old-id", "old-secret"]) expect(markdown).not.toContain(canary);
      expect(markdown, "the change is still visible").toContain(
        "| Principal `engineer` | `credentials` | (secret) | (secret, changed) |",
      );
      expect(markdown, "a connection is never listed, even when it changes").not.toMatch(/connection/);
    }
    expect(previewMarkdown(run([principal]), "s")).toMatch(/gets new credentials/);
  });

  it("a plain connection slipped into a real recorded refresh is not printed", () => {
    const recorded = readEngineRun(readFileSync(join(fixtures, "drift-report.json"), "utf8"));
    for (const s of recorded.steps) {
      if (s.new?.outputs) s.new.outputs.connection = { clientSecret: "canary-connection-secret" };
    }
    expect(driftMarkdown(recorded, "review")).not.toContain("canary-connection-secret");
  });
});

describe("grants, per catalog role, as readable lines", () => {
  it("describes every grant level", () => {
    expect(describeGrant({ type: "catalog", privilege: "CATALOG_MANAGE_CONTENT" }, "c")).toBe(
      "CATALOG_MANAGE_CONTENT on catalog c",
    );
    expect(
      describeGrant({ type: "namespace", namespace: ["demo", "gold"], privilege: "NAMESPACE_LIST" }),
    ).toBe("NAMESPACE_LIST on namespace demo.gold");
    expect(
      describeGrant({
        type: "table",
        namespace: ["demo", "gold"],
        table: "orders",
        privilege: "TABLE_READ_DATA",
      }),
    ).toBe("TABLE_READ_DATA on table demo.gold.orders");
    expect(describeGrant({ type: "view", namespace: ["d"], view: "v", privilege: "VIEW_DROP" })).toBe(
      "VIEW_DROP on view d.v",
    );
    expect(describeGrant({ type: "policy", namespace: ["d"], policy: "p", privilege: "POLICY_READ" })).toBe(
      "POLICY_READ on policy d.p",
    );
    expect(describeGrant({ type: "table", namespace: ["d"], privilege: "TABLE_READ_DATA" })).toBeUndefined();
  });

  it("a new grant set lists all its grants; an additive grant moved to another privilege is one out, one in", () => {
    const set = step("create", "CatalogGrantSet", "reader-grants", undefined, {
      catalog: "cat",
      catalogRole: "reader",
      grants: {
        "namespace:demo:NAMESPACE_LIST": {
          type: "namespace",
          namespace: ["demo"],
          privilege: "NAMESPACE_LIST",
        },
        "catalog:CATALOG_READ_PROPERTIES": { type: "catalog", privilege: "CATALOG_READ_PROPERTIES" },
      },
    });
    const grant = (privilege: string) => ({
      catalog: "cat",
      catalogRole: "writer",
      grant: { type: "namespace", namespace: ["demo", "gold"], privilege },
    });
    const replaced = step(
      "replace",
      "CatalogGrant",
      "w",
      grant("TABLE_READ_DATA"),
      grant("TABLE_WRITE_DATA"),
      {
        replaceReasons: ["grant"],
      },
    );
    const markdown = previewMarkdown(run([set, replaced], { create: 1, replace: 1 }), "s");
    expect(markdown).toContain(
      [
        "Catalog role `reader` in catalog `cat`:",
        "",
        "```diff",
        "+ CATALOG_READ_PROPERTIES on catalog cat",
        "+ NAMESPACE_LIST on namespace demo",
        "```",
        "",
        "Catalog role `writer` in catalog `cat`:",
        "",
        "```diff",
        "- TABLE_READ_DATA on namespace demo.gold",
        "+ TABLE_WRITE_DATA on namespace demo.gold",
        "```",
      ].join("\n"),
    );
    expect(markdown).toContain(
      "- **CatalogGrant**: `writer` (catalog `cat`), is deleted and created again because `grant` changes",
    );
    expect(markdown, "grant ids are not shown").not.toContain("namespace:demo:NAMESPACE_LIST");
  });

  it("grants that wait on entities the update creates are said to be known after apply", () => {
    const set = step(
      "update",
      "CatalogGrantSet",
      "g",
      { catalog: "cat", catalogRole: "r", grants: { "catalog:X": { type: "catalog", privilege: "X" } } },
      { catalog: "cat", catalogRole: "r", grants: UNKNOWN_VALUE },
    );
    expect(previewMarkdown(run([set]), "s")).toMatch(/its grants are known only after apply/);
  });
});

describe("entities by kind, property changes before and after", () => {
  it("groups by action and kind, names entities as Polaris does, and leaves out the stack and components", () => {
    const ns = (levels: string[]) => ({ catalog: "cat", levels, properties: {} });
    const steps = [
      { op: "same", urn: "urn:pulumi:review::p::pulumi:pulumi:Stack::p-review" },
      {
        op: "create",
        urn: "urn:pulumi:review::p::polaris-pulumi:platform:PolarisPlatform::platform",
        new: { urn: "x", type: "polaris-pulumi:platform:PolarisPlatform", custom: false },
      },
      step("create", "Namespace", "b", undefined, ns(["demo", "b"])),
      step("create", "Namespace", "a", undefined, ns(["demo", "a"])),
      step("update", "Namespace", "gold", ns(["demo", "gold"]), {
        ...ns(["demo", "gold"]),
        properties: { owner: "team" },
        location: UNKNOWN_VALUE,
      }),
      step("delete", "PrincipalRoleAssignment", "x", { principal: "p", principalRole: "r" }),
    ];
    const markdown = previewMarkdown(run(steps, { create: 2, update: 1, delete: 1, same: 3 }), "prod");
    expect(markdown).toContain("2 to create, 1 to update, 1 to delete, 3 unchanged.");
    expect(markdown).toContain("- **Namespace**: `demo.a` (catalog `cat`), `demo.b` (catalog `cat`)");
    expect(markdown).toContain("#### To delete\n\n- **PrincipalRoleAssignment**: `p → r`");
    expect(markdown).toContain(
      "| Namespace `demo.gold` (catalog `cat`) | `location` | (none) | (known after apply) |",
    );
    expect(markdown).toContain(
      "| Namespace `demo.gold` (catalog `cat`) | `properties.owner` | (none) | `team` |",
    );
    expect(markdown).not.toMatch(/PolarisPlatform|Stack/);
  });

  it("a preview with no change says so", () => {
    expect(previewMarkdown(run([], { same: 17 }), "prod")).toContain("No changes (17 unchanged).");
  });
});
