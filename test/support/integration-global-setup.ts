import { existsSync } from "node:fs";
import { join } from "node:path";
import { runDir, sandbox } from "./sandbox";

/**
 * Starts the default sandbox instance for the integration tests, or reuses one that is already
 * running (a developer's `./scripts/sandbox start`). Only a sandbox started here is stopped here.
 */
export default async function setup() {
  const status = await sandbox(["status"]);
  if (status.code === 0 && existsSync(join(runDir(), "endpoints.env"))) {
    return () => {};
  }
  const started = await sandbox(["start"]);
  if (started.code !== 0) {
    throw new Error(`could not start the sandbox:\n${started.stderr}`);
  }
  return async () => {
    await sandbox(["stop"]);
  };
}
