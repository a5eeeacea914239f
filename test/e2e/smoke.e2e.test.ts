import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PulumiWorkspace } from "../support/pulumi-cli";

const programDir = join(__dirname, "smoke-program");
const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/polaris:MarkerFile";

describe("the real pulumi CLI runs a lazily loading dynamic provider on a file backend", () => {
  let workspace: PulumiWorkspace;
  let scratch: string;
  let markerPath: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "polaris-pulumi-smoke-"));
    markerPath = join(scratch, "marker.txt");
    workspace = await PulumiWorkspace.create(programDir, "smoke");
    // A stack with no config at all: the language host must hand the program an empty config, not null.
    const bare = await workspace.run(["preview"]);
    expect(bare.stdout + bare.stderr).toContain("Missing required configuration variable 'smoke:markerPath'");
    expect(bare.stdout + bare.stderr).not.toMatch(/TypeError|Cannot convert undefined or null/);
    await workspace.setConfig("markerPath", markerPath);
    await workspace.setConfig("content", "first");
  });

  afterAll(async () => {
    await workspace?.dispose();
    await rm(scratch, { recursive: true, force: true });
  });

  it("up creates the resource through the serialized provider", async () => {
    const result = await workspace.mustRun(["up", "--yes", "--skip-preview"]);
    // The stack itself and the MarkerFile.
    expect(result.stdout).toMatch(/\+ 2 created/);
    expect(readFileSync(markerPath, "utf8")).toBe("first");
  });

  it("keeps the serialized provider small and free of captured modules", async () => {
    const state = await workspace.exportState();
    const marker = state.deployment.resources?.find((r) => r.type === DYNAMIC_TYPE);
    expect(marker, "the MarkerFile resource is in state").toBeDefined();
    const provider = String(marker?.inputs?.__provider ?? "");
    expect(provider).toContain("smoke-program/marker-file-provider.js");
    // Nothing but the module path is captured: no zod, no undici, no file-system module text.
    expect(provider).not.toMatch(/zod|undici|readFile/);
    console.info(`serialized __provider: ${provider.length} bytes`);
    expect(provider.length).toBeLessThan(4096);
  });

  it("preview --expect-no-changes exits 0 on the unchanged stack", async () => {
    const result = await workspace.run(["preview", "--expect-no-changes"]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it("preview --expect-no-changes fails once the input changes, and up updates in place", async () => {
    await workspace.setConfig("content", "second");
    const preview = await workspace.run(["preview", "--expect-no-changes"]);
    expect(preview.code).not.toBe(0);
    const up = await workspace.mustRun(["up", "--yes", "--skip-preview"]);
    expect(up.stdout).toMatch(/1 updated/);
    expect(readFileSync(markerPath, "utf8")).toBe("second");
  });

  it("passes config secrets to the program as secrets", async () => {
    await workspace.setConfig("token", "smoke-secret-value", true);
    await workspace.mustRun(["up", "--yes", "--skip-preview"]);
    const shown = await workspace.mustRun(["stack", "output", "token"]);
    expect(shown.stdout.trim()).toBe("[secret]");
    const revealed = await workspace.mustRun(["stack", "output", "token", "--show-secrets"]);
    expect(revealed.stdout.trim()).toBe("smoke-secret-value");
    expect(JSON.stringify(await workspace.exportState())).not.toContain("smoke-secret-value");
  });

  it("reports a failing program with its error and a non-zero exit", async () => {
    await workspace.setConfig("fail", "true");
    const result = await workspace.run(["preview"]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain("smoke program asked to fail");
    await workspace.mustRun(["config", "rm", "fail"]);
  });

  it("destroy deletes the resource", async () => {
    await workspace.mustRun(["destroy", "--yes", "--skip-preview"]);
    expect(existsSync(markerPath)).toBe(false);
    const state = await workspace.exportState();
    expect(state.deployment.resources ?? []).toHaveLength(0);
  });
});
