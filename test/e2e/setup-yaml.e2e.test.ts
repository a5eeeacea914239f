import { execFile } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeSetupYaml } from "../../src/setup-yaml/normalize";
import { planSetup } from "../../src/setup-yaml/plan";
import { parseSetupYaml, readSetupYamlFile } from "../../src/setup-yaml/read";
import { parseYamlText, toYamlText } from "../../src/setup-yaml/yaml-text";
import { accessLog, requestsSince } from "../support/access-log";
import { call, requestToken, session } from "../support/polaris";
import { PulumiWorkspace } from "../support/pulumi-cli";
import { readEndpoints, repoRoot, sandbox } from "../support/sandbox";
import { polarisSnapshot } from "./setup-yaml/snapshot";

// `polaris setup` YAML interop against two real Polaris servers of its own. Instance B takes `setup apply`
// (the official CLI, apache-polaris 1.8.0) and then PolarisSetup adopts what it made; instance A takes the
// YAML through PolarisSetup, is exported back with setup-export, and that export is applied to B again
// (emptied by a restart), after which both servers must hold the same entities, compared over REST.

const programDir = join(__dirname, "setup-yaml-program");
const fixtures = join(__dirname, "setup-yaml");
const fullYaml = join(fixtures, "full.yaml");
const instanceA = "e2e-setup-a";
const instanceB = "e2e-setup-b";

/** What full.yaml needs of a server: every storage type, federation, and SIGV4's service identity. */
const SERVER_PROPERTIES = [
  'polaris.features."SUPPORTED_CATALOG_STORAGE_TYPES"=["S3","GCS","AZURE","FILE"]',
  'polaris.features."ALLOW_INSECURE_STORAGE_TYPES"=true',
  'polaris.features."ENABLE_CATALOG_FEDERATION"=true',
  'polaris.features."SUPPORTED_CATALOG_CONNECTION_TYPES"=["ICEBERG_REST","HADOOP"]',
  'polaris.features."SUPPORTED_EXTERNAL_CATALOG_AUTHENTICATION_TYPES"=["OAUTH","BEARER","SIGV4","IMPLICIT"]',
  "polaris.service-identity.aws-iam.iam-arn=arn:aws:iam::123456789012:user/polaris-service",
];

/** The fixture secrets of full.yaml's federated catalogs (their remotes are never contacted). */
const FIXTURE_SECRETS = { oauth: "fixture-oauth-secret", bearer: "fixture-bearer-token" };

async function startInstance(instance: string) {
  await sandbox(["stop", "--instance", instance]);
  const started = await sandbox([
    "start",
    "--instance",
    instance,
    ...SERVER_PROPERTIES.flatMap((property) => ["--polaris-property", property]),
  ]);
  expect(started.code, started.stderr).toBe(0);
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error
          ? typeof (error as { code?: unknown }).code === "number"
            ? (error as { code: number }).code
            : -1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The official CLI, with the root credentials in its environment rather than on its command line. */
function polarisCli(instance: string, args: string[]): Promise<Run> {
  const endpoints = readEndpoints(instance);
  return run(
    join(endpoints.SANDBOX_VENV!, "bin", "polaris"),
    ["--base-url", endpoints.POLARIS_URI!, ...args],
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: "C.UTF-8",
      CLIENT_ID: endpoints.POLARIS_CLIENT_ID,
      CLIENT_SECRET: endpoints.POLARIS_CLIENT_SECRET,
      REALM: endpoints.POLARIS_REALM,
    },
  );
}

/**
 * `polaris setup apply`, with the failures it logged. The 1.8.0 CLI cannot decode a SIGV4 connection
 * (its generated SigV4AuthenticationParameters.from_dict keeps only the type), so the catalog with one is
 * created, but the CLI records its creation as failed and exits 1: that one failure is expected.
 * stdout is never shown: apply prints each new principal's credentials there.
 */
async function setupApply(instance: string, file: string) {
  const result = await polarisCli(instance, ["setup", "apply", file]);
  const failures = [...result.stderr.matchAll(/ ERROR (Failed to .*)$/gm)].map((match) => match[1]);
  expect(failures, "setup apply failures").toEqual(["Failed to create catalog 'federated_glue'"]);
  expect(result.stderr).toMatch(/validation errors? for SigV4AuthenticationParameters/);
  expect(result.code).toBe(1);
  return result;
}

async function workspaceOn(instance: string, stack: string, setupFile: string) {
  const endpoints = readEndpoints(instance);
  const workspace = await PulumiWorkspace.create(programDir, stack);
  await workspace.setConfig("setupFile", setupFile);
  await workspace.setConfig("polaris:uri", endpoints.POLARIS_URI!);
  await workspace.setConfig("polaris:realm", endpoints.POLARIS_REALM!);
  await workspace.setConfig("polaris:clientId", endpoints.POLARIS_CLIENT_ID!, true);
  await workspace.setConfig("polaris:clientSecret", endpoints.POLARIS_CLIENT_SECRET!, true);
  return workspace;
}

/** "+ Catalog setup/catalog/sales" for each dynamic resource an update created, updated or deleted. */
function changedResources(output: string): string[] {
  return [
    ...output.matchAll(
      /^\s*([+~-])\s+pulumi-nodejs:dynamic\/polaris:(\w+) (\S+) (?:created|updated|deleted)/gm,
    ),
  ]
    .map((match) => `${match[1]} ${match[2]} ${match[3]}`)
    .sort();
}

/** POSTs that create an entity (to a collection: catalogs, principals, roles, namespaces, policies). */
function creates(requests: { method: string; path: string; status: number }[]) {
  return requests.filter(
    (request) =>
      request.method === "POST" &&
      /\/(catalogs|principals|principal-roles|catalog-roles|namespaces|policies)(\?.*)?$/.test(request.path),
  );
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  process.stderr.write(`timing: ${label} ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

describe("polaris setup YAML interop, against the official CLI and two Polaris servers", () => {
  const workspaces: PulumiWorkspace[] = [];
  const scratch = mkdtempSync(join(tmpdir(), "setup-yaml-e2e-"));
  const plan = planSetup(readSetupYamlFile(fullYaml), { baseDir: fixtures });

  // The round trip's `up` on A needs nothing of B, so it runs while the adoption test works on B; the round
  // trip awaits it (and sees its failure, if any).
  let roundTripUp: Promise<{ workspace: PulumiWorkspace; up: Run } | Error>;

  beforeAll(async () => {
    await Promise.all([startInstance(instanceA), startInstance(instanceB)]);
    roundTripUp = (async () => {
      const workspace = await workspaceOn(instanceA, "roundtrip", fullYaml);
      workspaces.push(workspace);
      const up = await timed("up from the YAML (beside the adoption test)", () =>
        workspace.mustRun(["up", "--yes", "--skip-preview"]),
      );
      return { workspace, up };
    })().catch((error: Error) => error);
  });

  afterAll(async () => {
    await roundTripUp;
    for (const workspace of workspaces) await workspace.dispose();
    rmSync(scratch, { recursive: true, force: true });
    await Promise.all([instanceA, instanceB].map((instance) => sandbox(["stop", "--instance", instance])));
  });

  it("full.yaml uses every key that setup apply reads, but those the sandbox cannot hold (read from the CLI's source)", () => {
    const venvLib = join(readEndpoints(instanceA).SANDBOX_VENV!, "lib");
    const python = readdirSync(venvLib).find((entry) => entry.startsWith("python"))!;
    const setupCommand = join(
      venvLib,
      python,
      "site-packages",
      "apache_polaris",
      "cli",
      "command",
      "setup.py",
    );
    const source = readFileSync(setupCommand, "utf8");
    expect(source, "the setup command of apache-polaris 1.8.0").toMatch(/class SetupCommand/);
    // The apply half of the command; the export half comes first in the file.
    const apply = source.slice(source.indexOf("def _load_setup_config"));
    const cliArguments = new Set([
      "command_args",
      "auth_args",
      "connection_args",
      "identity_args",
      "details",
    ]);
    const read = new Set<string>();
    for (const [, receiver, key] of apply.matchAll(/(\w+)\.get\(\s*"([a-z_]+)"/g))
      if (!cliArguments.has(receiver!)) read.add(key!);
    for (const [, key] of apply.matchAll(/"([a-z_]+)" in \w+/g)) read.add(key!);
    for (const [, receiver, key] of apply.matchAll(/(\w+)\["([a-z_]+)"\]/g))
      if (!cliArguments.has(receiver!)) read.add(key!);
    const storageKeys = apply.match(/storage_keys = \[([^\]]*)\]/)?.[1] ?? "";
    for (const [, key] of storageKeys.matchAll(/"([a-z_]+)"/g)) read.add(key!);
    expect(read.size, "keys found in the CLI's source").toBeGreaterThan(50);

    const keysOf = (value: unknown): string[] =>
      Array.isArray(value)
        ? value.flatMap(keysOf)
        : value !== null && typeof value === "object"
          ? Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)])
          : [];
    const beyondFile = join(fixtures, "beyond-sandbox.yaml");
    const inFull = new Set(keysOf(parseYamlText(readFileSync(fullYaml, "utf8"), "full.yaml")));
    const inBeyond = new Set(keysOf(parseYamlText(readFileSync(beyondFile, "utf8"), "beyond-sandbox.yaml")));
    expect(
      [...read].filter((key) => !inFull.has(key) && !inBeyond.has(key)),
      "keys in neither fixture",
    ).toEqual([]);
    expect([...read].filter((key) => !inFull.has(key)).sort(), "keys only in beyond-sandbox.yaml").toEqual([
      "decryption_keys",
      "encryption_keys",
      "parameters",
      "service_account",
    ]);
    // Both fixtures pass the schema, so it knows every one of these keys where apply reads it.
    readSetupYamlFile(beyondFile);
  });

  it("after `setup apply` of the YAML, PolarisSetup adopts every entity: none created, none changed, and the next preview shows no change", async () => {
    const applied = await timed("setup apply of full.yaml", () => setupApply(instanceB, fullYaml));
    // apply prints each principal's new credentials as a JSON line.
    const printed = applied.stdout
      .split("\n")
      .filter((line) => line.startsWith('{"clientId"'))
      .map((line) => JSON.parse(line) as { clientId: string; clientSecret: string });
    expect(printed).toHaveLength(plan.principals.length);
    const before = await polarisSnapshot(instanceB);
    expect(before.catalogs.map((catalog) => catalog.name)).toEqual(
      plan.catalogs.map((catalog) => catalog.name).sort(),
    );

    const workspace = await workspaceOn(instanceB, "adopt", fullYaml);
    workspaces.push(workspace);
    await workspace.setConfig("resetCredentialsOnAdopt", "true");
    const log = accessLog(instanceB);
    const up = await timed("adopting up", () => workspace.mustRun(["up", "--yes", "--skip-preview"]));
    const requests = requestsSince(log, accessLog(instanceB));
    const entityCount =
      plan.principalRoles.length +
      plan.principals.length +
      plan.catalogs.reduce(
        (sum, catalog) =>
          sum + 1 + catalog.namespaces.length + catalog.catalogRoles.length + catalog.policies.length,
        0,
      );
    const attempted = creates(requests.all);
    expect(
      attempted.filter((request) => request.status < 300),
      "entities created",
    ).toEqual([]);
    expect(attempted.filter((request) => request.status === 409)).toHaveLength(entityCount);
    expect(up.stdout).toMatch(/\+ \d+ created/);

    const after = await polarisSnapshot(instanceB);
    expect(after, "adoption changes nothing but the ownership marker").toEqual(before);

    // Every adopted entity now carries the marker, e.g. the catalog and a nested namespace.
    const root = await session(undefined, undefined, instanceB);
    const sales = await call<{ properties: Record<string, string> }>(root, "GET", "/catalogs/sales");
    expect(sales.body.properties["polaris-pulumi.owner"]).toBe("setup-yaml/adopt/setup/catalog/sales");

    // Adopting a principal reset its credentials: the printed ones stop working, the stack's work.
    const credentials = JSON.parse(
      (await workspace.mustRun(["stack", "output", "credentials", "--show-secrets", "--json"])).stdout,
    ) as Record<string, { clientId: string; clientSecret: string }>;
    expect(Object.keys(credentials).sort()).toEqual(
      plan.principals.map((principal) => principal.name).sort(),
    );
    for (const old of printed)
      expect((await requestToken(old.clientId, old.clientSecret, instanceB)).status).not.toBe(200);
    for (const fresh of Object.values(credentials)) {
      expect((await requestToken(fresh.clientId, fresh.clientSecret, instanceB)).status).toBe(200);
    }

    const preview = await workspace.run(["preview", "--expect-no-changes"]);
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
  });

  it("round trip: YAML -> pulumi up -> setup-export -> `setup apply` on an empty server gives the same entities over REST", async () => {
    const upOnA = await roundTripUp;
    if (upOnA instanceof Error) throw upOnA;
    const { workspace, up } = upOnA;
    expect(up.stdout).toMatch(
      /warning: catalogs\[0\]\.roles\.sales_reader\.privileges\.table: setup apply ignores table privileges/,
    );
    expect((await workspace.run(["preview", "--expect-no-changes"])).code).toBe(0);

    const exported = await timed("setup-export", () =>
      run(
        process.execPath,
        [
          join(repoRoot, "dist", "src", "setup-yaml", "export", "cli.js"),
          "--stack",
          "roundtrip",
          "--cwd",
          programDir,
        ],
        workspace.env,
      ),
    );
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr.trim().split("\n").sort()).toEqual([
      "warning: catalog federated_bearer: connection.authentication.token is a secret and is not written; add it before setup apply",
      "warning: catalog federated_rest: connection.authentication.client_secret is a secret and is not written; add it before setup apply",
      "warning: principals: credentials are never written; setup apply creates each principal with new credentials (and prints them)",
    ]);
    const credentials = JSON.parse(
      (await workspace.mustRun(["stack", "output", "credentials", "--show-secrets", "--json"])).stdout,
    ) as Record<string, { clientId: string; clientSecret: string }>;
    for (const secret of [
      FIXTURE_SECRETS.oauth,
      FIXTURE_SECRETS.bearer,
      ...Object.values(credentials).map((c) => c.clientSecret),
    ]) {
      expect(exported.stdout.includes(secret), "no secret in the export").toBe(false);
    }
    // As the warnings say: the two connection secrets are added back before applying.
    const withSecrets = parseYamlText(exported.stdout, "the export") as {
      catalogs: { connection?: { authentication?: Record<string, unknown> } }[];
    };
    for (const catalog of withSecrets.catalogs) {
      const authentication = catalog.connection?.authentication;
      if (authentication?.type === "oauth") authentication.client_secret = FIXTURE_SECRETS.oauth;
      if (authentication?.type === "bearer") authentication.token = FIXTURE_SECRETS.bearer;
    }
    const exportFile = join(scratch, "exported.yaml");
    writeFileSync(exportFile, toYamlText(withSecrets));
    // Our own schema accepts what we write, once the secrets are in.
    const document = parseSetupYaml(readFileSync(exportFile, "utf8"), "the export");

    await timed("restart of B", () => startInstance(instanceB));
    expect((await polarisSnapshot(instanceB)).catalogs, "B starts empty").toEqual([]);
    await timed("setup apply of the export", () => setupApply(instanceB, exportFile));

    const [onA, onB] = await Promise.all([polarisSnapshot(instanceA), polarisSnapshot(instanceB)]);
    expect(onB).toEqual(onA);
    // The comparison covers what the YAML made, not only the built-ins.
    expect(onA.catalogs.find((catalog) => catalog.name === "sales")?.namespaces).toHaveLength(7);
    expect(document.catalogs).toHaveLength(6);
  });

  it("`polaris setup export` of the stack's server matches the input YAML after normalization", async () => {
    // The official export lists each catalog's namespaces, which for a federated catalog means asking its
    // remote (unreachable here), and it cannot decode a SIGV4 connection: it fails while they exist.
    const failing = await polarisCli(instanceA, ["setup", "export"]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/Setup export failed|SigV4AuthenticationParameters/);

    // So the stack drops its federated catalogs, a change of the YAML that `up` converges to.
    const input = parseYamlText(readFileSync(fullYaml, "utf8"), "full.yaml") as {
      catalogs: { type?: string }[];
    };
    input.catalogs = input.catalogs.filter((catalog) => catalog.type?.toLowerCase() !== "external");
    const reducedDir = join(scratch, "reduced");
    mkdirSync(join(reducedDir, "policies"), { recursive: true });
    copyFileSync(
      join(fixtures, "policies", "orphan-file-removal.json"),
      join(reducedDir, "policies", "orphan-file-removal.json"),
    );
    const reducedFile = join(reducedDir, "internal-only.yaml");
    writeFileSync(reducedFile, toYamlText(input));
    const workspace = workspaces.find((candidate) => candidate.stack === "roundtrip")!;
    await workspace.setConfig("setupFile", reducedFile);
    const up = await timed("up without the federated catalogs", () =>
      workspace.mustRun(["up", "--yes", "--skip-preview"]),
    );
    expect(changedResources(up.stdout)).toEqual(
      ["federated_bearer", "federated_glue", "federated_hadoop", "federated_rest"].map(
        (name) => `- Catalog setup/catalog/${name}`,
      ),
    );

    const exported = await timed("polaris setup export", () => polarisCli(instanceA, ["setup", "export"]));
    expect(exported.code, exported.stderr).toBe(0);
    const official = normalizeSetupYaml(parseSetupYaml(exported.stdout, "polaris setup export"), {
      baseDir: dirname(reducedFile),
    });
    const declared = normalizeSetupYaml(readSetupYamlFile(reducedFile), { baseDir: dirname(reducedFile) });
    expect(official).toEqual(declared);
    expect(declared.catalogs.map((catalog) => catalog.name)).toEqual(["lake", "sales"]);
  });
});
