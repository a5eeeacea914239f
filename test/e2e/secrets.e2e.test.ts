import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { platformStack } from "../support/platform-stack";
import type { CliResult, PulumiWorkspace } from "../support/pulumi-cli";
import { readEndpoints, sandbox } from "../support/sandbox";
import { base64Forms } from "../support/secret-forms";

// The reference platform on a sandbox of its own, run with every kind of output a user might paste into
// a ticket or a CI log: `--json` events, the engine's and the providers' verbose logs (`--debug`,
// `--logflow`, -v=8 and -v=9), stack outputs, the state export and every file of the backend. Every secret
// of the run is searched for in all of them, as is and base64-encoded: the sandbox's root secret, the
// principals' client ids and secrets, and the state passphrase (the stack uses no AWS key: moto's is a
// fixed test value that only the sandbox's own scripts use). None may appear. The one place they are
// allowed, the decrypted export, must hold them, which proves the search would find a leak.

const instance = "e2e-secrets";
// The last run's outputs and logs, kept for inspection; mode 0700, like the sandbox's run folder.
const logDir = join(tmpdir(), "polaris-secrets-scan");

interface Collected {
  source: string;
  text: string;
}

// What the engine itself writes at -v=9 for every property of every RPC, secret or not (upstream Pulumi's
// plugin layer): "Marshaling property for RPC[...]: clientSecret={...}". No program or provider can keep
// secrets out of it, so -v=9 logs are never to be shared; everything else at that level is searched.
const ENGINE_PROPERTY_DUMP = /"msg":"(Un)?[Mm]arshaling property for RPC\[/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every line that holds a value, as "source (line N)", for a failure message that shows no secret. */
function occurrences(collected: Collected[], value: string, skip?: RegExp): string[] {
  return collected.flatMap(({ source, text }) =>
    text
      .split("\n")
      .flatMap((line, index) =>
        line.includes(value) && !skip?.test(line) ? [`${source} (line ${index + 1})`] : [],
      ),
  );
}

/** Each secret's hits in `collected`, as is and in base64. */
function hitsOf(secrets: [string, string][], collected: Collected[], skip?: RegExp): string[] {
  return secrets.flatMap(([what, value]) =>
    [value, ...base64Forms(value)].flatMap((form, index) =>
      occurrences(collected, form, skip).map(
        (where) => `${what}${index === 0 ? "" : " (base64)"} in ${where}`,
      ),
    ),
  );
}

describe("no generated secret in plain text in anything a run leaves behind", () => {
  let workspace: PulumiWorkspace;
  /** Searched in full. */
  const collected: Collected[] = [];
  /** The -v=9 logs, searched but for the engine's own property dump. */
  const engineDumps: Collected[] = [];
  let secrets: [string, string][] = [];

  /** Keeps a command's output in the log folder and in the texts to search. */
  async function run(name: string, args: string[], into = collected): Promise<CliResult> {
    const result = await workspace.run(args);
    for (const [stream, text] of [
      ["stdout", result.stdout],
      ["stderr", result.stderr],
    ] as const) {
      writeFileSync(join(logDir, `${name}.${stream}.log`), text, { mode: 0o600 });
      into.push({ source: `${name} ${stream}`, text });
    }
    expect(result.code, `${name}\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`).toBe(0);
    return result;
  }

  beforeAll(async () => {
    rmSync(logDir, { recursive: true, force: true });
    mkdirSync(logDir, { mode: 0o700 });
    const started = await sandbox(["start", "--instance", instance]);
    expect(started.code, started.stderr).toBe(0);
    workspace = await platformStack({ instance, stack: "secrets" });
  });

  afterAll(async () => {
    await workspace?.dispose();
    await sandbox(["stop", "--instance", instance]);
    process.stderr.write(`secrets scan: the run's outputs and logs are kept in ${logDir}\n`);
  });

  it("runs the platform with --json output and verbose logs, and reads outputs, the export and the backend", async () => {
    const verbose = ["--json", "--logtostderr", "--logflow", "--debug"];
    await run("preview-before", ["preview", "--json"]);
    // -v=8: the most verbose level short of the engine's property dump.
    await run("up", ["up", "--yes", ...verbose, "-v=8"]);
    await run("preview-after", ["preview", "--json", "--diff", "--expect-no-changes"]);
    await run("refresh", ["refresh", "--yes", ...verbose, "-v=9"], engineDumps);
    await run("stack-output", ["stack", "output", "--json"]);
    await run("stack-export", ["stack", "export"]);
    for (const file of filesUnder(workspace.backendDir)) {
      collected.push({
        source: `backend ${file.slice(workspace.backendDir.length)}`,
        text: readFileSync(file, "latin1"),
      });
    }
    expect(collected.filter((c) => c.source.startsWith("backend ")).length).toBeGreaterThan(2);

    // Read last, and never searched: the one place the secrets may be.
    const revealed = JSON.parse(
      (await workspace.mustRun(["stack", "output", "--json", "--show-secrets"])).stdout,
    );
    const decrypted = (await workspace.mustRun(["stack", "export", "--show-secrets"])).stdout;
    const principals = Object.entries(
      revealed.credentials as Record<string, { clientId: string; clientSecret: string }>,
    );
    expect(principals.map(([persona]) => persona).sort()).toEqual(["analyst", "engineer"]);
    const rootSecret: [string, string] = [
      "the sandbox's root client secret",
      readEndpoints(instance).POLARIS_CLIENT_SECRET!,
    ];
    const generated = principals.flatMap(([persona, credentials]): [string, string][] => [
      [`${persona}'s client secret`, credentials.clientSecret],
      [`${persona}'s client id`, credentials.clientId],
    ]);
    for (const [what, value] of [rootSecret, ...generated]) {
      expect(value.length, what).toBeGreaterThanOrEqual(12);
      expect(decrypted, `${what} is in the decrypted export (so the search can find it)`).toContain(value);
    }
    secrets = [rootSecret, ["the state passphrase", workspace.env.PULUMI_CONFIG_PASSPHRASE!], ...generated];
  });

  it("finds none of them, as is or in base64, in any output, log, export or backend file", () => {
    expect(secrets.length).toBe(6);
    expect(hitsOf(secrets, collected)).toEqual([]);
    process.stderr.write(
      `secrets scan: ${secrets.length} secrets in ${collected.length} texts of ` +
        `${collected.reduce((sum, c) => sum + c.text.length, 0)} characters: 0 hits\n`,
    );
  });

  it("finds no bearer token anywhere, though no test can know their values", () => {
    const token = /\beyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;
    expect(
      [...collected, ...engineDumps].filter(({ text }) => token.test(text)).map((c) => c.source),
    ).toEqual([]);
  });

  it("at -v=9, finds them only in the engine's own dump of every RPC property", () => {
    const dumpLines = engineDumps.flatMap(({ text }) =>
      text.split("\n").filter((line) => ENGINE_PROPERTY_DUMP.test(line)),
    );
    expect(dumpLines.length, "the -v=9 run wrote the engine's property dump").toBeGreaterThan(0);
    expect(
      dumpLines.some((line) => line.includes(secrets[0]![1])),
      "which holds the root secret: what the exception below hides",
    ).toBe(true);
    expect(hitsOf(secrets, engineDumps, ENGINE_PROPERTY_DUMP)).toEqual([]);
    const leaking = dumpLines.filter((line) => secrets.some(([, value]) => line.includes(value))).length;
    process.stderr.write(
      `secrets scan: -v=9 refresh: ${leaking} of the engine's ${dumpLines.length} property-dump lines hold a secret; 0 other lines\n`,
    );
  });
});
