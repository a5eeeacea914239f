import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MarkerFile } from "../src/testing/marker-file-resource";

const config = new pulumi.Config();
const environment = config.require("environment");

if (environment !== "sandbox") {
  throw new pulumi.RunError(
    `polaris-platform:environment "${environment}" is not built yet: the Kubernetes and AWS components are ` +
      "tracked in the infrastructure issue. Use the sandbox stack: ./scripts/up",
  );
}

// The sandbox stack for now records which sandbox it was deployed against, through a dynamic resource
// run by the real engine. The reference platform replaces this once a Polaris server can run here.
const instance = config.get("sandboxInstance") ?? "default";
const runDir = join(__dirname, "..", ".sandbox", instance);
const endpoints = readFileSync(join(runDir, "endpoints.env"), "utf8");
const motoEndpoint = /^MOTO_ENDPOINT=(.*)$/m.exec(endpoints)?.[1] ?? "";

const record = new MarkerFile("sandbox-record", {
  path: join(runDir, "deployed-stack.txt"),
  content: `stack=${pulumi.getStack()}\ns3Endpoint=${motoEndpoint}\n`,
});

export const s3Endpoint = motoEndpoint;
export const recordFile = record.path;
