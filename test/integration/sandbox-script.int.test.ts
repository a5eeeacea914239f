import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { awsProbe, readEndpoints, runDir, sandbox } from "../support/sandbox";

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
    const bucket = await awsProbe<{ body: string }>(
      { op: "s3_roundtrip", bucket: "second-only", key: "k", body: "v" },
      "it-second",
    );
    expect(bucket.body).toBe("v");

    expect((await sandbox(["stop", "--instance", "it-second"])).code).toBe(0);
    expect((await sandbox(["status", "--instance", "it-second"])).code).toBe(3);
    expect((await sandbox(["status"])).code, "the default instance keeps running").toBe(0);
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
