import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requestToken } from "../support/polaris";
import { awsProbe, instanceArgs, readEndpoints, runDir, sandbox } from "../support/sandbox";

// Each test uses its own instance name, so the shared default instance is never disturbed.
describe("scripts/sandbox", () => {
  const started: string[] = [];
  afterAll(async () => {
    for (const instance of started) await sandbox(["stop", "--instance", instance]);
  });

  it("starts a second, independent instance on free ports and stops only that one", async () => {
    const shared = readEndpoints();
    const result = await sandbox(["start", "--instance", "it-second"]);
    started.push("it-second");
    expect(result.code, result.stderr).toBe(0);
    const second = readEndpoints("it-second");
    expect(second.MOTO_ENDPOINT).not.toBe(shared.MOTO_ENDPOINT);
    expect(second.POLARIS_URI).not.toBe(shared.POLARIS_URI);
    expect(second.POLARIS_CLIENT_SECRET, "each instance has its own random root secret").not.toBe(
      shared.POLARIS_CLIENT_SECRET,
    );
    expect(
      (await requestToken(second.POLARIS_CLIENT_ID!, second.POLARIS_CLIENT_SECRET!, "it-second")).status,
    ).toBe(200);
    expect(
      (await requestToken(shared.POLARIS_CLIENT_ID!, shared.POLARIS_CLIENT_SECRET!, "it-second")).status,
    ).toBe(401);
    const bucket = await awsProbe<{ body: string }>(
      { op: "s3_roundtrip", bucket: "second-only", key: "k", body: "v" },
      "it-second",
    );
    expect(bucket.body).toBe("v");

    expect((await sandbox(["stop", "--instance", "it-second"])).code).toBe(0);
    expect((await sandbox(["status", "--instance", "it-second"])).code).toBe(3);
    expect((await sandbox(["status", ...instanceArgs()])).code, "the shared instance keeps running").toBe(0);
  });

  it("applies --polaris-property settings to that instance's server only", async () => {
    const result = await sandbox([
      "start",
      "--instance",
      "it-short-token",
      "--polaris-property",
      "polaris.authentication.token-broker.max-token-generation=PT10S",
    ]);
    started.push("it-short-token");
    expect(result.code, result.stderr).toBe(0);
    const endpoints = readEndpoints("it-short-token");
    const short = await requestToken(
      endpoints.POLARIS_CLIENT_ID!,
      endpoints.POLARIS_CLIENT_SECRET!,
      "it-short-token",
    );
    expect(short.body.expires_in).toBe(10);
    const shared = readEndpoints();
    const normal = await requestToken(shared.POLARIS_CLIENT_ID!, shared.POLARIS_CLIENT_SECRET!);
    expect(normal.body.expires_in).toBe(3600);

    const again = await sandbox(["start", "--instance", "it-short-token"]);
    expect(again.code, "a running instance is not silently reused with other settings").not.toBe(0);
    expect(again.stderr).toContain("already running with other Polaris properties");
  });

  it("keeps the root secret private: run folder 0700, endpoints.env 0600, never on a command line", () => {
    const dir = runDir();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "endpoints.env")).mode & 0o777).toBe(0o600);
    const secret = readEndpoints().POLARIS_CLIENT_SECRET!;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const pid = readFileSync(join(dir, "polaris.pid"), "utf8").trim();
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).not.toContain(secret);
    expect(readFileSync(join(dir, "polaris.log"), "latin1")).not.toContain(secret);
  });

  it("refuses a port in use, naming the port and the way out", async () => {
    const busyPort = new URL(readEndpoints().MOTO_ENDPOINT!).port;
    const result = await sandbox(["start", "--instance", "it-busy", "--moto-port", busyPort]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`port ${busyPort} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain("--moto-port 0");
  });

  it("clears a stale run folder left by a crashed run, says so, and starts", async () => {
    const dir = runDir("it-stale");
    mkdirSync(dir, { recursive: true });
    // A pid that surely belongs to no running moto: a process that has already exited.
    const exited = spawnSync("true");
    writeFileSync(join(dir, "moto.pid"), `${exited.pid}\n`);
    writeFileSync(join(dir, "endpoints.env"), "MOTO_ENDPOINT=http://127.0.0.1:1\n");

    const result = await sandbox(["start", "--instance", "it-stale"]);
    started.push("it-stale");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("clearing a stale run folder from a crashed run");
    expect(readEndpoints("it-stale").MOTO_ENDPOINT).not.toBe("http://127.0.0.1:1");
  });

  it("tells a test that needs a sandbox which is not running how to start it", () => {
    expect(() => readEndpoints("it-never-started")).toThrow(
      /not running.*\.\/scripts\/sandbox start --instance it-never-started/,
    );
  });
});
