import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as policy from "../../../src/entities/policy";
import * as attachment from "../../../src/entities/policy-attachment";
import { passed, sandboxConnection } from "../../support/entities";
import { type FaultProxy, startFaultProxy } from "../../support/fault-proxy";
import { motoWarehouse } from "../../support/moto-warehouse";
import { call, createS3Catalog, type PolarisSession, session, uniqueName } from "../../support/polaris";
import { readEndpoints } from "../../support/sandbox";

// Policies and their attachments through their entity modules, against the sandbox's real Polaris 1.4.1.
// Out-of-band changes are made with plain REST calls, as an operator or another tool would make them.

type ServerPolicy = { policy: { content: string; description?: string | null; version: number } };
type Applicable = { "applicable-policies": { name: string; inherited: boolean; namespace: string[] }[] };

describe("policy and policy attachment entities", () => {
  let root: PolarisSession;
  let catalog: string;
  const api = () => `/api/catalog/polaris/v1/${catalog}`;
  const policyUrl = (name: string, namespace = "sales%1Femea") =>
    `${api()}/namespaces/${namespace}/policies/${name}`;

  beforeAll(async () => {
    root = await session();
    catalog = await createS3Catalog(root, await motoWarehouse(uniqueName("pol").replaceAll("_", "-")));
    for (const namespace of [["sales"], ["sales", "emea"]]) {
      const created = await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces`, { namespace });
      expect(created.status).toBe(200);
    }
    // A table needs real storage: the catalog's moto bucket holds its metadata file.
    const table = await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces/sales/tables`, {
      name: "orders",
      schema: {
        type: "struct",
        "schema-id": 0,
        fields: [{ id: 1, name: "id", required: false, type: "long" }],
      },
    });
    expect(table.status, JSON.stringify(table.body)).toBe(200);
  });

  async function declaredPolicy(name: string, extra: Record<string, unknown> = {}) {
    return passed(
      await policy.check!(
        {} as never,
        {
          connection: sandboxConnection(),
          catalog,
          namespace: ["sales", "emea"],
          name,
          type: "system.data-compaction",
          content: { enable: true },
          ...extra,
        } as never,
      ),
    ) as unknown as policy.PolicyInputs;
  }

  async function declaredAttachment(
    policyName: string,
    target: unknown,
    policyNamespace = ["sales", "emea"],
  ) {
    return passed(
      await attachment.check!(
        {} as never,
        { connection: sandboxConnection(), catalog, policyNamespace, policyName, target } as never,
      ),
    ) as unknown as attachment.PolicyAttachmentInputs;
  }

  const serverPolicy = async (name: string) =>
    (await call<ServerPolicy>(root, "GET", policyUrl(name))).body.policy;

  it.each([
    ["system.data-compaction", { enable: true, config: { target_file_size_bytes: 134217728 } }],
    ["system.metadata-compaction", { version: "2025-02-03", enable: true }],
    [
      "system.orphan-file-removal",
      { enable: true, max_orphan_file_age_in_days: 30, locations: ["s3://x/y"] },
    ],
    ["system.snapshot-expiry", { enable: false, config: { min_snapshot_to_keep: 1 } }],
  ])("creates, reads, updates and deletes a %s policy", async (type, content) => {
    const name = `crud-${type.slice("system.".length)}`;
    const inputs = await declaredPolicy(name, { type, content, description: "nightly" });
    const created = await policy.create(inputs);
    expect(created.id).toBe(`${catalog}/sales.emea/${name}`);
    expect(created.outs).toMatchObject({ policyVersion: 0, inheritable: true, type });
    expect(JSON.parse((await serverPolicy(name)).content)).toEqual(content);

    const read = await policy.read!(created.id, created.outs!);
    expect(read.props).toEqual(created.outs);
    expect(await policy.diff!(created.id, read.props!, inputs)).toEqual({ changes: false });

    const next = await declaredPolicy(name, { type, content: { ...content, enable: !content.enable } });
    expect(await policy.diff!(created.id, read.props!, next)).toEqual({ changes: true });
    const updated = await policy.update!(created.id, read.props!, next);
    expect(updated.outs!.policyVersion).toBe(1);
    const server = await serverPolicy(name);
    expect(JSON.parse(server.content).enable).toBe(!content.enable);
    expect(server.description ?? undefined, "a description no longer declared is cleared").toBeUndefined();

    for (const field of ["name", "type", "namespace", "catalog"] as const) {
      const value = { namespace: ["sales"], type: "system.snapshot-expiry", name: "other", catalog: "other" }[
        field
      ];
      // The type's content rules differ, so a type change comes with a content every type accepts.
      const changed = {
        ...next,
        [field]: value,
        ...(field === "type" ? { content: '{"enable":true}' } : {}),
      };
      if (field === "type" && type === value) changed.type = "system.data-compaction";
      expect((await policy.diff!(created.id, updated.outs!, changed as never)).replaces).toEqual([field]);
    }

    await policy.delete!(created.id, updated.outs!);
    expect(await policy.read!(created.id, updated.outs!)).toEqual({});
    await policy.delete!(created.id, updated.outs!); // 404 is success
  });

  it("custom policy types: Polaris 1.4.1 refuses them, so check refuses them first", async () => {
    const refused = await call(root, "POST", `${api()}/namespaces/sales/policies`, {
      name: "custom",
      type: "acme.retention",
      content: '{"days":7}',
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("Unknown policy type: acme.retention");
    const result = await policy.check!(
      {} as never,
      {
        catalog,
        namespace: ["sales"],
        name: "custom",
        type: "acme.retention",
        content: { days: 7 },
      } as never,
    );
    expect(result.failures).toEqual([
      { property: "type", reason: expect.stringMatching(/not supported by Polaris 1\.4\.1/) },
    ]);
  });

  it("sees content and description drift made out of band, but never formatting or key order", async () => {
    const inputs = await declaredPolicy("drift", {
      content: '{ "version" : "2025-02-03",\n  "enable": true,\n  "config": {"b": 2, "a": "x"} }',
      description: "declared",
    });
    expect(inputs.content, "check holds content as canonical JSON").toBe(
      '{"config":{"a":"x","b":2},"enable":true,"version":"2025-02-03"}',
    );
    const created = await policy.create(inputs);

    // The same JSON, written another way by someone else: a new policy version, but no change.
    const reformatted = await call(root, "PUT", policyUrl("drift"), {
      "current-policy-version": 0,
      description: "declared",
      content: '{"enable":true,\n"config":{"a":"x","b":2.0},   "version":"2025-02-03"}',
    });
    expect(reformatted.status).toBe(200);
    const same = await policy.read!(created.id, created.outs!);
    expect(same.props!.content).toBe(inputs.content);
    expect(same.props!.policyVersion).toBe(1);
    expect(await policy.diff!(created.id, same.props!, inputs)).toEqual({ changes: false });

    // A real change of content and description.
    await call(root, "PUT", policyUrl("drift"), {
      "current-policy-version": 1,
      description: "edited by hand",
      content: '{"enable":false}',
    });
    const drifted = await policy.read!(created.id, created.outs!);
    expect(drifted.props).toMatchObject({ content: '{"enable":false}', description: "edited by hand" });
    expect(await policy.diff!(created.id, drifted.props!, inputs)).toEqual({ changes: true });

    await policy.update!(created.id, drifted.props!, inputs);
    const server = await serverPolicy("drift");
    expect(JSON.parse(server.content)).toEqual(JSON.parse(inputs.content));
    expect(server.description).toBe("declared");
    await policy.delete!(created.id, created.outs!);
  });

  it("retries an update once when someone else changed the policy in between", async () => {
    const proxy = await startFaultProxy({ target: new URL(readEndpoints().POLARIS_URI!).origin });
    try {
      const connection = { ...sandboxConnection(), uri: proxy.uri };
      const inputs = await declaredPolicy("race", { connection });
      const created = await policy.create(inputs);
      const path = `${api()}/namespaces/sales%1Femea/policies/race`;
      // Our PUT waits in the proxy while another writer updates the policy: it then carries a stale version.
      proxy.clear();
      proxy.script({ method: "PUT", path }, { kind: "delay", ms: 1500 });
      const next = await declaredPolicy("race", {
        connection,
        content: { enable: false },
        description: "ours",
      });
      const updating = policy.update!(created.id, created.outs!, next);
      while (proxy.count({ method: "GET", path }) === 0) await delay(10);
      const other = await call(root, "PUT", policyUrl("race"), {
        "current-policy-version": 0,
        content: '{"enable":true,"config":{"by":"someone else"}}',
      });
      expect(other.status).toBe(200);

      const updated = await updating;
      expect(proxy.count({ method: "PUT", path, status: 409 }), "the stale write was refused").toBe(1);
      expect(proxy.count({ method: "PUT", path, status: 200 }), "and sent again on the fresh version").toBe(
        1,
      );
      expect(updated.outs).toMatchObject({
        policyVersion: 2,
        content: '{"enable":false}',
        description: "ours",
      });
      expect(JSON.parse((await serverPolicy("race")).content)).toEqual({ enable: false });
      await policy.delete!(created.id, updated.outs!);
    } finally {
      await proxy.close();
    }
  });

  it("adopts an existing policy only when asked and only when type and content match", async () => {
    const made = await call(root, "POST", `${api()}/namespaces/sales%1Femea/policies`, {
      name: "existing",
      type: "system.snapshot-expiry",
      description: "made by an init job",
      content: '{"enable": true, "config": {"max_snapshot_age_days": 2}}',
    });
    expect(made.status).toBe(200);
    const content = { config: { max_snapshot_age_days: 2 }, enable: true };
    const declared = (extra: Record<string, unknown>) =>
      declaredPolicy("existing", { type: "system.snapshot-expiry", content, ...extra });

    await expect(policy.create(await declared({}))).rejects.toThrow(/already exists.*`adopt: true`/s);
    await expect(
      policy.create(await declared({ adopt: true, content: { ...content, enable: false } })),
    ).rejects.toThrow(/cannot adopt policy.*content\.enable: Polaris has true, declared false/s);
    await expect(
      policy.create(await declared({ adopt: true, type: "system.data-compaction" })),
    ).rejects.toThrow(/type: Polaris has "system.snapshot-expiry", declared "system.data-compaction"/);
    expect((await serverPolicy("existing")).version, "a refused adoption writes nothing").toBe(0);

    const adopted = await policy.create(await declared({ adopt: true, description: "now managed" }));
    expect(adopted.outs).toMatchObject({ description: "now managed", policyVersion: 1 });
    const server = await serverPolicy("existing");
    expect(server.description, "the description is brought to the declared one").toBe("now managed");
    expect(JSON.parse(server.content)).toEqual(content);
    await policy.delete!(adopted.id, adopted.outs!);
  });

  it("attaches to the catalog, a namespace and a table; read sees each; detach out of band is gone", async () => {
    const types = ["system.data-compaction", "system.snapshot-expiry", "system.metadata-compaction"] as const;
    const policies = await Promise.all(
      types.map(async (type, index) => {
        const inputs = await declaredPolicy(`attach-${index}`, { type });
        return (await policy.create(inputs)).outs!;
      }),
    );
    const targets = [
      { type: "catalog" },
      { type: "namespace", path: ["sales", "emea"] },
      { type: "table-like", path: ["sales", "orders"] },
    ];
    const attachments = [];
    for (const [index, target] of targets.entries()) {
      const inputs = await declaredAttachment(policies[index]!.name, target);
      const created = await attachment.create(inputs);
      expect(await attachment.read!(created.id, created.outs!), `read sees ${target.type}`).toEqual({
        id: created.id,
        props: inputs,
      });
      expect(await attachment.diff!(created.id, created.outs!, inputs)).toEqual({ changes: false });
      attachments.push(created);
    }
    expect(attachments[2]!.id).toBe(`${catalog}/sales.emea/attach-2->table-like:sales.orders`);

    // The catalog's policy applies to the namespace too, but inherited is not attached.
    const applicable = await call<Applicable>(
      root,
      "GET",
      `${api()}/applicable-policies?namespace=sales%1Femea`,
    );
    expect(applicable.body["applicable-policies"]).toContainEqual(
      expect.objectContaining({ name: "attach-0", inherited: true }),
    );
    const inheritedOnly = await declaredAttachment("attach-0", {
      type: "namespace",
      path: ["sales", "emea"],
    });
    expect(await attachment.read!("x", inheritedOnly)).toEqual({});

    // A second policy of the same type on one target is refused, with what to do.
    const rival = (await policy.create(await declaredPolicy("rival"))).outs!;
    await expect(attachment.create(await declaredAttachment("rival", { type: "catalog" }))).rejects.toThrow(
      /another policy of the same type is attached there already/,
    );

    // Any change replaces the attachment.
    const moved = { ...attachments[1]!.outs!, target: { type: "namespace", path: ["sales"] } } as never;
    expect(await attachment.diff!(attachments[1]!.id, attachments[1]!.outs!, moved)).toEqual({
      changes: true,
      replaces: ["target"],
      deleteBeforeReplace: true,
    });

    // Detached out of band: read reports it gone, and delete still succeeds (Polaris answers 500 then).
    const detached = await call(root, "POST", `${policyUrl("attach-1")}/mappings`, {
      target: { type: "namespace", path: ["sales", "emea"] },
    });
    expect(detached.status).toBe(204);
    expect(await attachment.read!(attachments[1]!.id, attachments[1]!.outs!)).toEqual({});
    await attachment.delete!(attachments[1]!.id, attachments[1]!.outs!);

    await attachment.delete!(attachments[2]!.id, attachments[2]!.outs!);
    expect(await attachment.read!(attachments[2]!.id, attachments[2]!.outs!)).toEqual({});

    // A policy that is still attached is dropped with its attachments.
    await policy.delete!("attach-0", policies[0]!);
    expect(await attachment.read!(attachments[0]!.id, attachments[0]!.outs!)).toEqual({});
    for (const outs of [...policies.slice(1), rival]) await policy.delete!("p", outs);
  });

  it("explains a policy whose namespace is missing", async () => {
    const inputs = await declaredPolicy("orphan", { namespace: ["nowhere"] });
    await expect(policy.create(inputs)).rejects.toThrow(/namespace nowhere does not exist in catalog/);
  });
});

describe("bad policy input is refused at preview, before any request", () => {
  let proxy: FaultProxy;
  let connection: ReturnType<typeof sandboxConnection>;
  beforeAll(async () => {
    proxy = await startFaultProxy({ target: new URL(readEndpoints().POLARIS_URI!).origin });
    connection = { ...sandboxConnection(), uri: proxy.uri };
  });
  afterAll(async () => {
    expect(proxy.requests, "no request reached the proxy").toEqual([]);
    await proxy.close();
  });

  const goodPolicy = () => ({
    connection,
    catalog: "c",
    namespace: ["sales"],
    name: "compaction",
    type: "system.data-compaction",
    content: { enable: true },
  });
  const goodAttachment = () => ({
    connection,
    catalog: "c",
    policyNamespace: ["sales"],
    policyName: "compaction",
    target: { type: "namespace", path: ["sales"] },
  });
  type Module = {
    check?: (olds: never, news: never) => Promise<{ failures?: { property: string; reason: string }[] }>;
  };

  const cases: [string, Module, Record<string, unknown>, string, RegExp][] = [
    [
      "content that is not JSON",
      policy,
      { ...goodPolicy(), content: '{"enable": true,\n  "config": {"a": 1,}}' },
      "content",
      /not valid JSON: expected a property name in double quotes at line 2, column 21 \(offset 37\); found "}"/,
    ],
    [
      "content that is cut short",
      policy,
      { ...goodPolicy(), content: '{"enable":tru' },
      "content",
      /expected true at line 1, column 14/,
    ],
    [
      "a content without enable",
      policy,
      { ...goodPolicy(), content: '{"version":"2025-02-03"}' },
      "content.enable",
      /required/,
    ],
    [
      "enable given as a string",
      policy,
      { ...goodPolicy(), content: { enable: "yes" } },
      "content.enable",
      /true or false/,
    ],
    [
      "another content version",
      policy,
      { ...goodPolicy(), content: { enable: true, version: "2024-01-01" } },
      "content.version",
      /must be "2025-02-03"/,
    ],
    [
      "a field of another type",
      policy,
      { ...goodPolicy(), content: { enable: true, locations: [] } },
      "content.locations",
      /not a field of system.data-compaction/,
    ],
    [
      "a nested config value",
      policy,
      { ...goodPolicy(), content: { enable: true, config: { a: { b: 1 } } } },
      "content.config",
      /string, number or boolean/,
    ],
    [
      "a negative orphan file age",
      policy,
      {
        ...goodPolicy(),
        type: "system.orphan-file-removal",
        content: { enable: true, max_orphan_file_age_in_days: -1 },
      },
      "content.max_orphan_file_age_in_days",
      />= 0/,
    ],
    [
      "a content that is a list",
      policy,
      { ...goodPolicy(), content: "[1]" },
      "content",
      /must be a JSON object/,
    ],
    [
      "a policy type that is no type name",
      policy,
      { ...goodPolicy(), type: "Data Compaction" },
      "type",
      /not a policy type name/,
    ],
    [
      "a system type that does not exist",
      policy,
      { ...goodPolicy(), type: "system.compaction" },
      "type",
      /not a built-in policy type/,
    ],
    [
      "a custom policy type",
      policy,
      { ...goodPolicy(), type: "acme.retention" },
      "type",
      /not supported by Polaris 1\.4\.1/,
    ],
    ["a policy name with a dot", policy, { ...goodPolicy(), name: "a.b" }, "name", /letters, digits/],
    [
      "a namespace level with a dot",
      policy,
      { ...goodPolicy(), namespace: ["sales.emea"] },
      "namespace[0]",
      /each level separately/,
    ],
    [
      "a table target with an empty path",
      attachment,
      { ...goodAttachment(), target: { type: "table-like", path: [] } },
      "target.path",
      /namespace levels followed by its name/,
    ],
    [
      "a table target without a namespace",
      attachment,
      { ...goodAttachment(), target: { type: "table-like", path: ["orders"] } },
      "target.path",
      /namespace levels followed by its name/,
    ],
    [
      "a catalog target with a path",
      attachment,
      { ...goodAttachment(), target: { type: "catalog", path: ["sales"] } },
      "target.path",
      /a catalog target has no path/,
    ],
    [
      "a namespace target without a path",
      attachment,
      { ...goodAttachment(), target: { type: "namespace" } },
      "target.path",
      /needs `path`/,
    ],
    [
      "a target type Polaris does not know",
      attachment,
      { ...goodAttachment(), target: { type: "table", path: ["s", "t"] } },
      "target.type",
      /catalog, namespace, table-like/,
    ],
    [
      "a target level with a dot",
      attachment,
      { ...goodAttachment(), target: { type: "namespace", path: ["a.b"] } },
      "target.path[0]",
      /each level separately/,
    ],
  ];

  it.each(cases)("%s", async (_title, module, inputs, property, reason) => {
    const result = await module.check!({} as never, inputs as never);
    const failure = result.failures?.find((candidate) => candidate.property === property);
    expect(failure, JSON.stringify(result.failures)).toBeDefined();
    expect(failure!.reason).toMatch(reason);
  });

  it("inputs that are other resources' outputs, unknown at preview, pass check", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    for (const [module, inputs] of [
      [policy, { ...goodPolicy(), namespace: unknown, content: { enable: unknown } }],
      [policy, { ...goodPolicy(), type: unknown, content: unknown }],
      [attachment, { ...goodAttachment(), target: unknown, policyNamespace: unknown }],
      [attachment, { ...goodAttachment(), target: { type: "table-like", path: unknown } }],
    ] as const) {
      expect((await module.check!({} as never, inputs as never)).failures ?? []).toEqual([]);
    }
  });
});
