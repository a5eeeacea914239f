import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { deployProblems } from "../../../src/platform/deploy";
import { type ConfigSource, readPlatformSpec } from "../../../src/platform/spec";
import { settled } from "../aws/support/settle";
import { type Engine, recordEngine, stackConfig } from "./support/program";

// Bad platform config fails with a message naming the polaris-platform: key, before any resource is
// registered: through readPlatformSpec with a fake config source, and through the real program.

type Config = Record<string, string>;

const LOCAL = stackConfig("local");
const PROD = stackConfig("prod");
const SANDBOX_LIKE: Config = {
  "polaris-platform:environment": "sandbox",
  "polaris-platform:polaris": JSON.stringify({ mode: "external", uri: "http://127.0.0.1:8181" }),
  "polaris-platform:storage": JSON.stringify({ mode: "existing", bucket: "warehouse" }),
};

const key = (name: string) => `polaris-platform:${name}`;
const objectOf = (config: Config, name: string): Record<string, unknown> => JSON.parse(config[key(name)]!);

/** `base` with config keys replaced (objects as JSON text, the way the CLI passes them) or removed. */
function changed(base: Config, changes: Record<string, unknown>): Config {
  const config = { ...base };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete config[key(name)];
    else config[key(name)] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

/** The stack config as `new pulumi.Config()` reads it inside the program: keys without the project. */
const fakeSource = (config: Config): ConfigSource => ({ get: (name) => config[key(name)] });

const { jdbcSecretName: _jdbc, ...prodWithoutJdbcSecret } = objectOf(PROD, "polaris");
const { tokenBrokerSecretName: _broker, ...prodWithoutTokenBroker } = objectOf(PROD, "polaris");
const localPolaris = objectOf(LOCAL, "polaris");

const SPEC_CASES: { name: string; config: Config; message: RegExp }[] = [
  {
    name: "an unknown field",
    config: changed(LOCAL, { polaris: { ...localPolaris, replica: 2 } }),
    message: /polaris-platform:polaris: Unrecognized key: "replica"/,
  },
  {
    name: "several replicas in memory",
    config: changed(LOCAL, { polaris: { ...localPolaris, replicas: 2, tokenBrokerSecretName: "keys" } }),
    message: /polaris-platform:polaris\.replicas: more than one replica needs persistence: relational-jdbc/,
  },
  {
    name: "a namespace listed twice",
    config: changed(LOCAL, { namespaces: ["demo.gold.finance", "demo.gold.finance"] }),
    message: /polaris-platform:namespaces\[1\]: demo\.gold\.finance is listed twice/,
  },
  {
    name: "a namespace overlapping the reference ones",
    config: changed(LOCAL, { namespaces: ["demo.silver"] }),
    message: /polaris-platform:namespaces\[0\]: demo\.silver is part of the reference platform already/,
  },
  {
    name: "emulator storage with an external Polaris",
    config: changed(SANDBOX_LIKE, {
      environment: "local",
      storage: { mode: "emulator" },
      accessDelegation: "none",
    }),
    message: /polaris-platform:storage\.mode: an emulator on the cluster goes with polaris\.mode deploy/,
  },
  {
    name: "an unknown storage mode",
    config: changed(LOCAL, { storage: { mode: "s4", bucketName: "warehouse" } }),
    message: /polaris-platform:storage\.mode: storage\.mode must be existing, emulator or s3/,
  },
  {
    name: "vended credentials without a role",
    config: changed(SANDBOX_LIKE, { accessDelegation: "vended-credentials" }),
    message: /polaris-platform:storage\.roleArn: vended credentials need the role Polaris assumes/,
  },
  {
    name: "an external Polaris without its URI",
    config: changed(SANDBOX_LIKE, { polaris: { mode: "external" }, accessDelegation: "none" }),
    message: /polaris-platform:polaris\.uri: external Polaris needs its uri/,
  },
  {
    name: "a typo in the environment",
    config: changed(PROD, { environment: "prd" }),
    message: /polaris-platform:environment: must be one of sandbox, local, prod/,
  },
  {
    name: "JDBC persistence without its Secret",
    config: changed(PROD, { polaris: prodWithoutJdbcSecret }),
    message: /polaris-platform:polaris\.jdbcSecretName: relational-jdbc needs the Secret/,
  },
  {
    name: "several replicas without a token-broker Secret",
    config: changed(PROD, { polaris: prodWithoutTokenBroker }),
    message:
      /polaris-platform:polaris\.tokenBrokerSecretName: several replicas must share a token-broker key pair/,
  },
  {
    name: "the emulator with vended credentials",
    config: changed(LOCAL, { accessDelegation: "vended-credentials" }),
    message:
      /polaris-platform:accessDelegation: the emulator does not vend credentials: set accessDelegation: none/,
  },
  {
    name: "a namespace whose parent is not declared",
    config: changed(PROD, { namespaces: ["demo.gold.finance.emea"] }),
    message:
      /polaris-platform:namespaces\[0\]: the parent demo\.gold\.finance of demo\.gold\.finance\.emea is not declared/,
  },
  {
    name: "a misspelt grant privilege",
    config: changed(PROD, {
      grants: [
        {
          principalRole: "data_analyst",
          grant: { type: "namespace", namespace: ["demo", "gold"], privilege: "TABLE_READ_DAT" },
        },
      ],
    }),
    message:
      /polaris-platform:grants\[0\]\.grant\.privilege: unknown privilege TABLE_READ_DAT; did you mean TABLE_READ_DATA\?/,
  },
  {
    name: "protect given as a word",
    config: changed(PROD, { protect: "yes" }),
    message: /polaris-platform:protect: Invalid input: expected boolean, received string/,
  },
  {
    name: "an access delegation mode that does not exist",
    config: changed(PROD, { accessDelegation: "vended" }),
    message:
      /polaris-platform:accessDelegation: Invalid option: expected one of "vended-credentials"\|"none"/,
  },
  {
    name: "a grant for a principal role the platform does not have",
    config: changed(PROD, {
      grants: [{ principalRole: "data_scientist", grant: { type: "catalog", privilege: "TABLE_LIST" } }],
    }),
    message:
      /polaris-platform:grants\[0\]\.principalRole: Invalid option: expected one of "data_engineer"\|"data_analyst"/,
  },
  {
    name: "a grant the persona holds already",
    config: changed(PROD, {
      grants: [
        {
          principalRole: "data_analyst",
          grant: { type: "namespace", namespace: ["demo", "gold"], privilege: "TABLE_READ_DATA" },
        },
      ],
    }),
    message:
      /polaris-platform:grants\[0\]: data_analyst holds namespace:demo\.gold:TABLE_READ_DATA already; list each grant once/,
  },
  {
    name: "a namespace written as a path with slashes",
    config: changed(PROD, { namespaces: ["demo/gold/finance"] }),
    message:
      /polaris-platform:namespaces\[0\]: must be a dotted namespace path such as demo\.gold\.orders_team/,
  },
  {
    name: "an external Polaris URI with the API path",
    config: changed(SANDBOX_LIKE, {
      polaris: { mode: "external", uri: "https://polaris.example.com/api/catalog" },
      accessDelegation: "none",
    }),
    message: /polaris-platform:polaris\.uri: must be Polaris' base URL, without \/api\/\.\.\./,
  },
  {
    name: "an external Polaris URI that is not http(s)",
    config: changed(SANDBOX_LIKE, {
      polaris: { mode: "external", uri: "polaris.example.com:8181" },
      accessDelegation: "none",
    }),
    message:
      /polaris-platform:polaris\.uri: must be Polaris' http\(s\) base URL, such as https:\/\/polaris\.example\.com/,
  },
  {
    name: "a deployed Polaris in the sandbox environment",
    config: changed(LOCAL, { environment: "sandbox" }),
    message:
      /polaris-platform:polaris\.mode: the sandbox runs Polaris itself: use mode external with sandboxInstance/,
  },
  {
    name: "a Polaris mode that does not exist",
    config: changed(LOCAL, { polaris: { mode: "helm" } }),
    message: /polaris-platform:polaris\.mode: polaris\.mode must be external or deploy/,
  },
  {
    name: "a storage role ARN that names a user",
    config: changed(SANDBOX_LIKE, {
      storage: { mode: "existing", bucket: "warehouse", roleArn: "arn:aws:iam::123456789012:user/polaris" },
    }),
    message: /polaris-platform:storage\.roleArn: must be an IAM role ARN/,
  },
  {
    name: "an OIDC provider ARN that names a role",
    config: changed(PROD, {
      storage: { ...objectOf(PROD, "storage"), oidcProviderArn: "arn:aws:iam::123456789012:role/eks" },
    }),
    message: /polaris-platform:storage\.oidcProviderArn: must be an OIDC provider ARN/,
  },
  {
    name: "a replica count out of range",
    config: changed(PROD, { polaris: { ...objectOf(PROD, "polaris"), replicas: 0 } }),
    message: /polaris-platform:polaris\.replicas: Too small: expected number to be >=1/,
  },
];

// Valid for the schema; the deploy half refuses them, still before registering anything.
const { externalUri: _uri, ...localWithoutUri } = localPolaris;
const DEPLOY_CASES: { name: string; config: Config; message: RegExp }[] = [
  {
    name: "no way for pulumi up to reach the management API",
    config: changed(LOCAL, { polaris: localWithoutUri }),
    message: /polaris-platform:polaris\.ingressHost: pulumi up must reach the management API/,
  },
  {
    name: "a TLS Secret without an Ingress host",
    config: changed(LOCAL, { polaris: { ...localPolaris, tlsSecretName: "polaris-tls" } }),
    message: /polaris-platform:polaris\.tlsSecretName: a TLS certificate is for a host name/,
  },
  {
    name: "LocalStack without its auth token",
    config: changed(LOCAL, { storage: { mode: "emulator", emulator: "localstack" } }),
    message: /polaris-platform:localstackAuthToken: LocalStack needs an auth token/,
  },
  {
    name: "a deployed Polaris on existing storage",
    config: changed(LOCAL, { storage: { mode: "existing", bucket: "warehouse" } }),
    message: /polaris-platform:storage\.mode: a deployed Polaris gets its storage from the cluster/,
  },
];

let engine: Engine;

beforeAll(async () => {
  engine = await recordEngine("bad-config");
});

/** Runs the real program with `config`; returns its error and how many registrations it requested. */
async function runProgram(config: Config): Promise<{ error: unknown; requested: number }> {
  vi.resetModules();
  pulumi.runtime.setAllConfig(config);
  const before = engine.requested();
  const error = await import("../../../stacks/index").then(
    () => undefined,
    (failure: unknown) => failure,
  );
  await settled(() => engine.requested() + engine.registrations.length, 10);
  return { error, requested: engine.requested() - before };
}

describe("bad platform config, refused by the spec", () => {
  it("has at least 12 cases", () => expect(SPEC_CASES.length).toBeGreaterThanOrEqual(12));

  for (const { name, config, message } of SPEC_CASES) {
    it(`${name}: names the key, and the program registers nothing`, async () => {
      expect(() => readPlatformSpec(fakeSource(config))).toThrow(message);
      const { error, requested } = await runProgram(config);
      expect(error).toBeInstanceOf(pulumi.RunError);
      expect((error as Error).message).toMatch(message);
      expect(requested).toBe(0);
    });
  }
});

describe("bad deploy config, refused by the deploy half", () => {
  for (const { name, config, message } of DEPLOY_CASES) {
    it(`${name}: names the key, and the program registers nothing`, async () => {
      const spec = readPlatformSpec(fakeSource(config));
      expect(
        deployProblems(spec)
          .map((problem) => `polaris-platform:${problem}`)
          .join("\n"),
      ).toMatch(message);
      const { error, requested } = await runProgram(config);
      expect(error).toBeInstanceOf(pulumi.RunError);
      expect((error as Error).message).toMatch(message);
      expect(requested).toBe(0);
    });
  }

  it("accepts LocalStack once its token is in secret config", async () => {
    const config = changed(LOCAL, { storage: { mode: "emulator", emulator: "localstack" } });
    const spec = readPlatformSpec(fakeSource(config));
    expect(deployProblems(spec, { localstackAuthToken: pulumi.secret("token") })).toEqual([]);
  });
});

describe("the same harness with good config (the count can fail)", () => {
  it("registers the local platform from the unchanged Pulumi.local.yaml", async () => {
    const { error, requested } = await runProgram(LOCAL);
    expect(error).toBeUndefined();
    expect(requested).toBeGreaterThan(0);
  });

  it("keeps both namespaces restricted when moto runs in a namespace of its own", async () => {
    const before = engine.registrations.length;
    const config = changed(LOCAL, { storage: { mode: "emulator", namespace: "s3-emulator" } });
    expect((await runProgram(config)).error).toBeUndefined();
    const namespaces = engine.registrations
      .slice(before)
      .filter((r) => r.type === "kubernetes:core/v1:Namespace")
      .map((r) => [r.inputs.metadata.name, r.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]]);
    expect(namespaces.sort()).toEqual([
      ["polaris", "restricted"],
      ["s3-emulator", "restricted"],
    ]);
  });

  it("still builds only the management resources for an external Polaris on existing storage", async () => {
    const before = engine.registrations.length;
    const { error, requested } = await runProgram(changed(SANDBOX_LIKE, { accessDelegation: "none" }));
    expect(error).toBeUndefined();
    const types = engine.registrations.slice(before).map((r) => r.type);
    expect(requested).toBe(21);
    expect(types.filter((type) => !type.startsWith("pulumi-nodejs:dynamic/polaris:"))).toEqual([
      "polaris-pulumi:platform:PolarisPlatform",
    ]);
  });
});
