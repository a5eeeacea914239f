import { beforeAll, describe, expect, it } from "vitest";
import * as policy from "../../../src/entities/policy";
import * as principal from "../../../src/entities/principal";
import { passed, sandboxConnection } from "../../support/entities";
import { motoWarehouse } from "../../support/moto-warehouse";
import {
  call,
  createS3Catalog,
  type PolarisSession,
  requestToken,
  session,
  uniqueName,
} from "../../support/polaris";

// A `pulumi up` killed after Polaris applied a create but before Pulumi recorded it leaves an entity that
// the stack does not know; after `pulumi refresh --clear-pending-creates` the next `up` creates it again and
// meets a 409. Here the second create is called directly on the entity module, with the same inputs, as
// that next `up` calls it, against the sandbox's real Polaris.

type ServerPolicy = { policy: { version: number; description?: string | null } };

describe("an entity left by an interrupted create is taken back by the next create", () => {
  let root: PolarisSession;
  let catalog: string;
  const policies = () => `/api/catalog/polaris/v1/${catalog}/namespaces/ops/policies`;

  beforeAll(async () => {
    root = await session();
    catalog = await createS3Catalog(root, await motoWarehouse(uniqueName("takeback").replaceAll("_", "-")));
    const created = await call(root, "POST", `/api/catalog/v1/${catalog}/namespaces`, { namespace: ["ops"] });
    expect(created.status).toBe(200);
  });

  async function declaredPolicy(name: string, extra: Record<string, unknown> = {}) {
    const raw = {
      connection: sandboxConnection(),
      catalog,
      namespace: ["ops"],
      name,
      type: "system.snapshot-expiry",
      description: "keep a week",
      content: { enable: true, config: { max_snapshot_age_hours: 168 } },
      ...extra,
    };
    return passed(await policy.check!({} as never, raw as never)) as unknown as policy.PolicyInputs;
  }

  const policyNames = async () =>
    (await call<{ identifiers: { name: string }[] }>(root, "GET", policies())).body.identifiers.map(
      (identifier) => identifier.name,
    );

  it("a policy (no properties, so no marker) is taken back when it is exactly as declared, and written to not at all", async () => {
    const inputs = await declaredPolicy("expiry");
    const first = await policy.create(inputs);
    // The run dies here: the stack never records `first`.
    const again = await policy.create(inputs);
    expect(again.id).toBe(first.id);
    expect(again.outs).toEqual(first.outs);
    const server = (await call<ServerPolicy>(root, "GET", `${policies()}/expiry`)).body.policy;
    expect(server.version, "taking back writes nothing").toBe(0);
    expect(await policyNames(), "one policy, not two").toEqual(["expiry"]);
    await policy.delete!(again.id, again.outs!);
  });

  it("a policy that differs from the declaration, or was changed since it was made, is not taken", async () => {
    const made = await policy.create(await declaredPolicy("someone_elses", { description: "theirs" }));
    await expect(
      policy.create(await declaredPolicy("someone_elses")),
      "another description: someone else's policy",
    ).rejects.toThrow(/already exists in Polaris and is not managed by this resource.*`adopt: true`/s);

    const inputs = await declaredPolicy("edited");
    await policy.create(inputs);
    const edit = { "current-policy-version": 0, content: JSON.stringify({ enable: false }) };
    expect((await call(root, "PUT", `${policies()}/edited`, edit)).status).toBe(200);
    const restore = { "current-policy-version": 1, content: inputs.content, description: inputs.description };
    expect((await call(root, "PUT", `${policies()}/edited`, restore)).status).toBe(200);
    await expect(
      policy.create(inputs),
      "identical again, but at version 2: edited since it was made, so not the residue of a create",
    ).rejects.toThrow(/already exists in Polaris and is not managed by this resource/);
    const server = (await call<ServerPolicy>(root, "GET", `${policies()}/edited`)).body.policy;
    expect(server.version, "a refused take-back writes nothing").toBe(2);
    expect(server.description).toBe("keep a week");

    await policy.delete!(made.id, made.outs!);
    await policy.delete!(`${catalog}/ops/edited`, inputs as never);
  });

  it("a principal is taken back by its marker and its credentials reset: the lost ones stop working", async () => {
    const name = uniqueName("svc");
    const raw = { name, owner: `test/crash/${name}`, connection: sandboxConnection() };
    const inputs = passed(await principal.check!({} as never, raw as never)) as principal.PrincipalInputs;
    const lost = (await principal.create(inputs)).outs!;
    expect((await requestToken(lost.clientId, lost.clientSecret)).status).toBe(200);

    // The run dies before the stack records the principal, so its credentials are lost with it.
    const again = await principal.create(inputs);
    expect(again.id).toBe(name);
    const taken = again.outs!;
    expect(taken.clientSecret).not.toBe(lost.clientSecret);
    expect((await requestToken(taken.clientId, taken.clientSecret)).status, "the new ones work").toBe(200);
    expect((await requestToken(lost.clientId, lost.clientSecret)).status, "the lost ones do not").toBe(401);
    const listed = await call<{ principals: { name: string }[] }>(root, "GET", "/principals");
    expect(listed.body.principals.filter((p) => p.name === name)).toHaveLength(1);
    expect(await principal.diff!(again.id, taken, inputs), "the next up has nothing to do").toEqual({
      changes: false,
    });

    // Someone else's principal of that name (another marker) is not taken, and its credentials stay.
    const other = passed(
      await principal.check!({} as never, { ...raw, owner: `test/other/${name}` } as never),
    ) as principal.PrincipalInputs;
    await expect(principal.create(other)).rejects.toThrow(/not managed by this resource/);
    expect((await requestToken(taken.clientId, taken.clientSecret)).status).toBe(200);
    await principal.delete!(again.id, taken);
  });
});
