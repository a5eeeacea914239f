import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { base64Forms } from "../../support/secret-forms";
import { K8S } from "./support/kubernetes";
import {
  type Engine,
  type Json,
  principalClientId,
  principalSecret,
  type Registration,
  recordEngine,
  resolved,
  runProgram,
  stackConfig,
} from "./support/program";

// The local platform (with moto, and with LocalStack) and the prod platform, rendered from the real
// program under mocks. Every secret value the mocks generate is collected: random passwords and ids,
// principals' credentials, the emulator's keys, the LocalStack auth token. None may appear in plain text
// in any registered resource's inputs, in any component's outputs or in a stack output. In Kubernetes
// objects they may appear only in a Secret's data or stringData, and there only as Pulumi secrets.

const LOCALSTACK_TOKEN = "ls-auth-token-7c1e52a9d04b4f3e";
const SECRET_MARK = "[secret]";

interface Render {
  name: string;
  registrations: Registration[];
  componentOutputs: { revealed: Json; redacted: Json }[];
  outputs: Record<string, pulumi.Output<unknown>>;
  /** [what, value]: every secret this render's mocks generated or its config held. */
  secrets: [string, string][];
}

/** Where a secret value occurs: the resource, the input path, and whether it is marked secret there. */
interface Occurrence {
  secret: string;
  type: string;
  name: string;
  path: string;
  marked: boolean;
}

/**
 * Whether `text` holds `value`: as a substring, or base64-encoded, for a value long enough to be told apart
 * from ordinary words; a short one (the emulator's default key "test") only as the whole text.
 */
function holds(text: string, value: string): boolean {
  if (value.length < 12) return text === value;
  return text.includes(value) || base64Forms(value).some((form) => text.includes(form));
}

/**
 * Every occurrence of the secrets in one registered object, walking the revealed and the redacted copy in
 * step: a subtree the redacted copy replaced by "[secret]" was a Pulumi secret.
 */
function occurrences(
  secrets: [string, string][],
  where: { type: string; name: string },
  revealed: Json,
  redacted: Json,
  path: string[] = [],
  marked = false,
): Occurrence[] {
  const isMarked = marked || (redacted === SECRET_MARK && revealed !== SECRET_MARK);
  if (typeof revealed === "string") {
    return secrets
      .filter(([, value]) => holds(revealed, value))
      .map(([secret]) => ({ secret, ...where, path: path.join("."), marked: isMarked }));
  }
  if (revealed === null || typeof revealed !== "object") return [];
  return Object.entries(revealed).flatMap(([key, value]) =>
    occurrences(
      secrets,
      where,
      value,
      isMarked ? SECRET_MARK : (redacted as Record<string, Json> | undefined)?.[key],
      [...path, key],
      isMarked,
    ),
  );
}

let engine: Engine;
const renders: Render[] = [];

async function render(name: string, config: Record<string, string>, secretKeys: string[] = []) {
  const before = engine.registrations.length;
  engine.componentOutputs.clear();
  vi.resetModules();
  const outputs = (await runProgram(engine, config, secretKeys)) as unknown as Record<
    string,
    pulumi.Output<unknown>
  >;
  const registrations = engine.registrations.slice(before);
  const secrets: [string, string][] = [
    ...secretKeys.map((key): [string, string] => [key, config[key]!]),
    ...registrations
      .filter((r) => r.type.startsWith("random:"))
      .map((r): [string, string] => [`random ${r.name}`, `mock-${r.name}-random`]),
    ...registrations
      .filter((r) => r.type === "pulumi-nodejs:dynamic/polaris:Principal")
      .flatMap((r): [string, string][] => [
        [`${r.name}'s client secret`, principalSecret(r.name)],
        [`${r.name}'s client id`, principalClientId(r.name)],
      ]),
    ...registrations
      .filter((r) => r.type === K8S.secret)
      .flatMap((r) =>
        Object.entries((r.inputs.stringData ?? {}) as Record<string, string>)
          .filter(([key]) => /SECRET|TOKEN|PASSWORD/i.test(key))
          .map(([key, value]): [string, string] => [`${r.name} ${key}`, value]),
      ),
  ];
  const revealed = engine.revealedComponentOutputs();
  const redacted = engine.redactedComponentOutputs();
  renders.push({
    name,
    registrations,
    componentOutputs: revealed.map((value, index) => ({ revealed: value, redacted: redacted[index] })),
    outputs,
    // One label per value, the first: the generator rather than a Secret that holds what it generated.
    secrets: secrets.filter(([, value], index) => secrets.findIndex(([, v]) => v === value) === index),
  });
}

beforeAll(async () => {
  engine = await recordEngine("secrets");
  await render("local with moto", stackConfig("local"));
  const localstack = {
    ...stackConfig("local"),
    "polaris-platform:storage": JSON.stringify({ mode: "emulator", emulator: "localstack" }),
    "polaris-platform:localstackAuthToken": LOCALSTACK_TOKEN,
  };
  await render("local with LocalStack", localstack, ["polaris-platform:localstackAuthToken"]);
  await render("prod", stackConfig("prod"));
});

/** Where a secret may be, marked secret, outside Kubernetes objects: the type and the input it sits in. */
const ALLOWED_ELSEWHERE: [type: RegExp, input: RegExp][] = [
  // Every management resource's connection to Polaris, the root credentials included.
  [/^pulumi-nodejs:dynamic\/polaris:/, /^connection\./],
  // The catalog's storage role's external id, and the trust policy that carries it.
  [/^pulumi-nodejs:dynamic\/polaris:Catalog$/, /^storage\.externalId$/],
  [/^aws:iam\/role:Role$/, /^assumeRolePolicy$/],
  // The emulator's static keys, for the aws provider that creates its bucket.
  [/^pulumi:providers:aws$/, /^(accessKey|secretKey)$/],
  // Principals' credentials delivered to AWS Secrets Manager (prod).
  [/^aws:secretsmanager\/secretVersion:SecretVersion$/, /^secretString$/],
];

const RENDERS = ["local with moto", "local with LocalStack", "prod"];

describe("the search for secrets in registered resources", () => {
  it("reports a secret in plain text, and one marked secret, with the input path", () => {
    const found = occurrences(
      [["a token", LOCALSTACK_TOKEN]],
      { type: "t", name: "n" },
      {
        env: [{ value: LOCALSTACK_TOKEN }],
        data: { token: Buffer.from(`x${LOCALSTACK_TOKEN}`).toString("base64") },
      },
      { env: [{ value: LOCALSTACK_TOKEN }], data: SECRET_MARK },
    );
    expect(found.map(({ path, marked }) => [path, marked])).toEqual([
      ["env.0.value", false],
      ["data.token", true],
    ]);
  });
});

describe.each(RENDERS)("%s", (name) => {
  const of = () => renders.find((r) => r.name === name)!;
  const inInputs = () =>
    of().registrations.flatMap((r) =>
      occurrences(of().secrets, { type: r.type, name: r.name }, r.inputs, r.redactedInputs),
    );
  const describeAll = (found: Occurrence[]) =>
    found.map((o) => `${o.secret} in ${o.type} ${o.name} ${o.path}`);

  it("collects the secrets the mocks generated and the config held, and finds each in some input", () => {
    const whats = of().secrets.map(([what]) => what);
    expect(whats).toEqual(expect.arrayContaining(["engineer's client secret", "analyst's client secret"]));
    if (name === "prod") expect(whats).toContain("random demo-catalog-external-id");
    else expect(whats).toContain("random polaris-root-client-secret");
    if (name === "local with LocalStack") expect(whats).toContain("polaris-platform:localstackAuthToken");
    // Found where they are meant to be: proof that the search below would find a leak.
    const found = new Set(inInputs().map((o) => o.secret));
    for (const what of whats) expect(found, what).toContain(what);
  });

  it("keeps every one of them marked secret in every resource's inputs", () => {
    expect(describeAll(inInputs().filter((o) => !o.marked))).toEqual([]);
  });

  it("puts them in Kubernetes objects only in a Secret's data or stringData", () => {
    const inKubernetes = inInputs().filter((o) => o.type.startsWith("kubernetes:"));
    expect(inKubernetes.length).toBeGreaterThan(0);
    expect(
      describeAll(inKubernetes.filter((o) => o.type !== K8S.secret || !/^(data|stringData)\./.test(o.path))),
    ).toEqual([]);
  });

  it("puts them elsewhere only where a secret belongs: connections, the trust policy, the providers, Secrets Manager", () => {
    const elsewhere = inInputs().filter((o) => !o.type.startsWith("kubernetes:"));
    expect(
      describeAll(
        elsewhere.filter(
          (o) => !ALLOWED_ELSEWHERE.some(([type, input]) => type.test(o.type) && input.test(o.path)),
        ),
      ),
    ).toEqual([]);
  });

  it("keeps them marked secret in every component's outputs", () => {
    const found = of().componentOutputs.flatMap(({ revealed, redacted }) =>
      occurrences(of().secrets, { type: "component", name: "outputs" }, revealed, redacted),
    );
    expect(found.length, "component outputs carry secrets (credentials, connection)").toBeGreaterThan(0);
    expect(describeAll(found.filter((o) => !o.marked))).toEqual([]);
  });

  it("exports them only in stack outputs marked secret", async () => {
    for (const [output, value] of Object.entries(of().outputs)) {
      if (await pulumi.isSecret(pulumi.output(value))) continue;
      const text = JSON.stringify(await resolved(value));
      expect(
        of()
          .secrets.filter(([, secret]) => holds(text, secret))
          .map(([what]) => what),
        output,
      ).toEqual([]);
    }
    expect(await pulumi.isSecret(pulumi.output(of().outputs.credentials))).toBe(true);
  });
});
